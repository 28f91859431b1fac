namespace Kaohe.Web.Features.Inspections;

/// <summary>An official drawn from a prefecture's bureau to serve on an assessment group.</summary>
public sealed record Official(string Id, string Name, string Prefecture);

/// <summary>A site to inspect: a prefecture seat city or a sampled county, in its prefecture.</summary>
public sealed record Site(string Id, string Name, string Prefecture);

public sealed record AssessmentGroup(string Name, IReadOnlyList<Official> Members, IReadOnlyList<Site> Sites);

/// <summary>A breach of the avoidance rule (回避), naming who and where.</summary>
public sealed record AvoidanceConflict(string Group, Official Member, Site Site)
{
    public string Zh => $"{Group}：{Member.Name}（{Member.Prefecture}）不得考核本地区的 {Site.Name}（回避）";
    public string En => $"{Group}: {Member.Name} ({Member.Prefecture}) may not inspect {Site.Name} in their own prefecture (avoidance rule)";
}

public sealed record FormationResult(IReadOnlyList<AssessmentGroup> Groups, IReadOnlyList<string> Problems)
{
    public bool Ok => Problems.Count == 0;
}

/// <summary>
/// 考核组: forms groups from the prefectures' officials so that no member inspects a site of their
/// own prefecture (回避) and the work is balanced. Sites go to groups a whole prefecture at a time
/// (largest first, to the group with the fewest sites), then each official joins the group with the
/// fewest members among those that inspect nothing in their prefecture.
/// </summary>
public static class GroupFormation
{
    /// <summary>The seed's three groups.</summary>
    public const int DefaultGroupCount = 3;

    public static FormationResult Form(IReadOnlyList<Official> officials, IReadOnlyList<Site> sites, int groupCount = DefaultGroupCount)
    {
        var problems = new List<string>();
        if (groupCount < 2) problems.Add("至少需要 2 个考核组才能满足回避要求 / at least 2 groups are needed for the avoidance rule");
        if (officials.Count < groupCount) problems.Add($"考核人员 {officials.Count} 人，少于考核组数 {groupCount} / {officials.Count} officials are fewer than {groupCount} groups");
        if (problems.Count > 0) return new FormationResult([], problems);

        var names = Enumerable.Range(1, groupCount).Select(i => $"第{Shared.OfficialDocument.Numeral(i)}考核组").ToArray();
        var siteSets = Enumerable.Range(0, groupCount).Select(_ => new List<Site>()).ToArray();
        var memberSets = Enumerable.Range(0, groupCount).Select(_ => new List<Official>()).ToArray();
        foreach (var prefecture in sites.GroupBy(s => s.Prefecture).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            var g = Enumerable.Range(0, groupCount).OrderBy(i => siteSets[i].Count).First();
            siteSets[g].AddRange(prefecture.OrderBy(s => s.Id, StringComparer.Ordinal));
        }
        foreach (var official in officials.OrderBy(o => o.Prefecture, StringComparer.Ordinal).ThenBy(o => o.Id, StringComparer.Ordinal))
        {
            var allowed = Enumerable.Range(0, groupCount)
                .Where(i => siteSets[i].All(s => s.Prefecture != official.Prefecture))
                .OrderBy(i => memberSets[i].Count).ThenBy(i => i).ToArray();
            if (allowed.Length == 0)
            {
                problems.Add($"{official.Name}（{official.Prefecture}）无可加入的考核组：每组都考核其本地区 / {official.Name} ({official.Prefecture}) fits no group: every group inspects their prefecture");
                continue;
            }
            memberSets[allowed[0]].Add(official);
        }
        var groups = Enumerable.Range(0, groupCount).Select(i => new AssessmentGroup(names[i], memberSets[i], siteSets[i])).ToArray();
        foreach (var g in groups.Where(g => g.Members.Count == 0 && g.Sites.Count > 0))
            problems.Add($"{g.Name} 没有可用的考核人员 / {g.Name} has no eligible members");
        return new FormationResult(groups, problems);
    }

    /// <summary>Checks groups as changed by hand: every breach of the avoidance rule, by name.</summary>
    public static IReadOnlyList<AvoidanceConflict> Check(IEnumerable<AssessmentGroup> groups) =>
        [.. groups.SelectMany(g => g.Members.SelectMany(m => g.Sites.Where(s => s.Prefecture == m.Prefecture).Select(s => new AvoidanceConflict(g.Name, m, s))))];
}
