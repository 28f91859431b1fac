using Kaohe.Demo;
using Kaohe.Web.Features.Demo;
using Kaohe.Web.Features.Inspections;

namespace Kaohe.Web.Tests.Inspections;

public class GroupFormationTests
{
    private static Site[] SeedSites()
    {
        // The seed: the 7 prefecture seat cities and 14 sampled counties.
        var counties = DemoCatalog.Prefectures.SelectMany(p => p.Counties.Select(c => new SamplingCandidate($"{p.Id}:{c}", c, p.Id))).ToArray();
        var sample = Sampling.Draw(counties, Sampling.Uniform(counties), "groups-test").Drawn;
        return
        [
            .. DemoCatalog.Prefectures.Select(p => new Site($"{p.Id}:seat", p.Name + p.SeatDistrict, p.Id)),
            .. sample.Select(c => new Site(c.Id, c.Name, c.Stratum)),
        ];
    }

    private static Official[] Roster(int perPrefecture) =>
        [.. DemoCatalog.Prefectures.SelectMany(p => Enumerable.Range(1, perPrefecture).Select(i => new Official($"{p.Id}-{i}", $"{p.Name}干部{i}", p.Id)))];

    [Fact]
    public void Three_groups_from_the_seven_prefectures_never_inspect_their_own_prefecture()
    {
        var result = GroupFormation.Form(Roster(2), SeedSites());
        Assert.True(result.Ok, string.Join("; ", result.Problems));
        Assert.Equal(3, result.Groups.Count);
        Assert.Empty(GroupFormation.Check(result.Groups));
        Assert.Equal(21, result.Groups.Sum(g => g.Sites.Count));
        Assert.Equal(14, result.Groups.Sum(g => g.Members.Count));
    }

    [Fact]
    public void Work_is_balanced_across_groups()
    {
        var result = GroupFormation.Form(Roster(2), SeedSites());
        var sites = result.Groups.Select(g => g.Sites.Count).ToArray();
        var members = result.Groups.Select(g => g.Members.Count).ToArray();
        Assert.True(sites.Max() - sites.Min() <= 3, $"sites per group: {string.Join(",", sites)}");
        Assert.True(members.Max() - members.Min() <= 1, $"members per group: {string.Join(",", members)}");
    }

    [Fact]
    public void The_avoidance_rule_holds_for_any_generated_roster_or_the_office_gets_a_named_conflict()
    {
        var random = new Random(11);
        var prefectures = DemoCatalog.Prefectures.Select(p => p.Id).ToArray();
        for (var trial = 0; trial < 500; trial++)
        {
            var officials = Enumerable.Range(0, random.Next(0, 25))
                .Select(i => new Official($"o{i}", $"干部{i}", prefectures[random.Next(prefectures.Length)])).ToArray();
            var sites = Enumerable.Range(0, random.Next(0, 30))
                .Select(i => new Site($"s{i}", $"点位{i}", prefectures[random.Next(prefectures.Length)])).ToArray();
            var groups = random.Next(1, 6);
            var result = GroupFormation.Form(officials, sites, groups);
            if (result.Ok) Assert.Empty(GroupFormation.Check(result.Groups));
            else Assert.All(result.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p)));
            // Whatever happens, nobody is placed against the rule.
            Assert.Empty(GroupFormation.Check(result.Groups));
        }
    }

    [Fact]
    public void A_manual_change_that_breaks_the_rule_names_the_member_and_the_site()
    {
        var result = GroupFormation.Form(Roster(2), SeedSites());
        var g = result.Groups[0];
        var intruder = Roster(2).First(o => g.Sites.Any(s => s.Prefecture == o.Prefecture));
        var changed = result.Groups.Select((x, i) => i == 0 ? x with { Members = [.. x.Members, intruder] } : x).ToArray();
        var conflicts = GroupFormation.Check(changed);
        Assert.NotEmpty(conflicts);
        Assert.All(conflicts, c => Assert.Equal(intruder, c.Member));
        Assert.Contains(intruder.Name, conflicts[0].Zh);
        Assert.Contains(conflicts[0].Site.Name, conflicts[0].En);
    }
}
