namespace Kaohe.Scoring;

/// <summary>
/// Where each unit of an assessment is stored: by <em>position</em>, the ranking groups one after
/// the other (in the order each group first appears in the input), and within a group in ordinal
/// order of the unit ids. A group's units are therefore one contiguous slice, and sums over a group
/// or over all units do not depend on the order of the input, bit for bit. Needs unique unit ids.
/// </summary>
internal sealed class UnitLayout
{
    public readonly Unit[] Units;                    // by position
    public readonly int[] PositionOfInput;           // index in Assessment.Units → position
    public readonly Dictionary<string, int> Index;   // id → position
    public readonly int[] GroupOf;                   // position → group
    public readonly string[] GroupNames;
    public readonly int[] GroupStart;                // first position of each group
    public readonly int[][] GroupMembers;            // positions of each group
    private int[]? _ordinal;

    public UnitLayout(IReadOnlyList<Unit> units)
    {
        var n = units.Count;
        var groupIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var members = new List<List<int>>();
        for (var i = 0; i < n; i++)
        {
            var g = units[i].Group ?? "";
            if (!groupIndex.TryGetValue(g, out var gi)) { gi = groupIndex.Count; groupIndex[g] = gi; members.Add([]); }
            members[gi].Add(i);
        }
        GroupNames = [.. groupIndex.OrderBy(kv => kv.Value).Select(kv => kv.Key)];
        var groupCount = GroupNames.Length;
        Units = new Unit[n];
        PositionOfInput = new int[n];
        GroupOf = new int[n];
        GroupStart = new int[groupCount];
        GroupMembers = new int[groupCount][];
        var position = 0;
        for (var g = 0; g < groupCount; g++)
        {
            GroupStart[g] = position;
            var ordered = members[g].OrderBy(i => units[i].Id, StringComparer.Ordinal).ToArray();
            GroupMembers[g] = new int[ordered.Length];
            for (var j = 0; j < ordered.Length; j++, position++)
            {
                Units[position] = units[ordered[j]];
                PositionOfInput[ordered[j]] = position;
                GroupOf[position] = g;
                GroupMembers[g][j] = position;
            }
        }
        Index = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (var p = 0; p < n; p++) Index[Units[p].Id] = p;
    }

    public int Count => Units.Length;

    /// <summary>Every position, in ordinal order of the unit ids: the order a total over all units is added in.</summary>
    public int[] Ordinal => _ordinal ??= [.. Enumerable.Range(0, Units.Length).OrderBy(p => Units[p].Id, StringComparer.Ordinal)];
}
