using Kaohe.Demo;
using Kaohe.Web.Features.Demo;
using Kaohe.Web.Features.Inspections;

namespace Kaohe.Web.Tests.Inspections;

public class SamplingTests
{
    private static readonly SamplingCandidate[] Counties =
        [.. DemoCatalog.Prefectures.SelectMany(p => p.Counties.Select(c => new SamplingCandidate($"{p.Id}:{c}", c, p.Id)))];

    [Fact]
    public void The_same_seed_gives_the_same_sample()
    {
        var first = Sampling.Draw(Counties, Sampling.Uniform(Counties), "2023-Q1-draw-1");
        var shuffled = Counties.Reverse().ToArray();
        var second = Sampling.Draw(shuffled, Sampling.Uniform(shuffled), "2023-Q1-draw-1");
        Assert.Equal(first.Drawn.Select(c => c.Id), second.Drawn.Select(c => c.Id));
    }

    [Fact]
    public void The_default_draws_the_seeds_fourteen_counties_two_per_prefecture()
    {
        var draw = Sampling.Draw(Counties, Sampling.Uniform(Counties), Sampling.NewSeed());
        Assert.Equal(14, draw.Drawn.Count);
        Assert.Equal(14, draw.Drawn.Select(c => c.Id).Distinct().Count());
        Assert.All(draw.Drawn.GroupBy(c => c.Stratum), g => Assert.Equal(2, g.Count()));
        Assert.Equal(Sampling.Algorithm, draw.Algorithm);
    }

    [Fact]
    public void Different_seeds_draw_different_samples()
    {
        var samples = Enumerable.Range(0, 20)
            .Select(i => string.Join(",", Sampling.Draw(Counties, Sampling.Uniform(Counties), $"seed-{i}").Drawn.Select(c => c.Id)))
            .Distinct().Count();
        Assert.True(samples > 15, $"only {samples} distinct samples from 20 seeds");
    }

    [Fact]
    public void Every_county_of_a_stratum_can_be_drawn_and_draws_are_roughly_uniform()
    {
        // 阿里 has 6 counties; drawing 2 of them 3,000 times, each should come up about 1,000 times.
        var ngari = Counties.Where(c => c.Stratum == "ngari").ToArray();
        var hits = ngari.ToDictionary(c => c.Id, _ => 0);
        for (var i = 0; i < 3000; i++)
            foreach (var c in Sampling.Draw(ngari, Sampling.Uniform(ngari), $"u{i}").Drawn) hits[c.Id]++;
        Assert.All(hits.Values, h => Assert.InRange(h, 850, 1150));
    }

    [Fact]
    public void A_stratum_with_fewer_candidates_than_asked_gives_all_it_has()
    {
        var two = Counties.Where(c => c.Stratum == "lasa").Take(2).ToArray();
        var draw = Sampling.Draw(two, new Dictionary<string, int> { ["lasa"] = 5 }, "x");
        Assert.Equal(2, draw.Drawn.Count);
    }

    [Fact]
    public void The_draw_matches_the_published_algorithm_re_implemented_outside_Kaohe()
    {
        // Expected output computed with the Python re-implementation in docs/sampling.md.
        SamplingCandidate C(string id, string stratum) => new(id, id, stratum);
        SamplingCandidate[] candidates = [C("a1", "a"), C("a2", "a"), C("a3", "a"), C("a4", "a"), C("b1", "b"), C("b2", "b"), C("b3", "b")];
        var draw = Sampling.Draw(candidates, new Dictionary<string, int> { ["a"] = 2, ["b"] = 2 }, "demo-seed");
        Assert.Equal(["a4", "a3", "b2", "b3"], draw.Drawn.Select(c => c.Id));
    }
}
