using Kaohe.Data;
using Kaohe.Web.Features.Jobs;
using Kaohe.Web.Infrastructure;

namespace Kaohe.Web.Features.Results;

/// <summary>
/// Recomputes every category's draft results of a period from the current facts (after a large import,
/// this is the slow part of the next page view), reporting per category, and says which categories
/// compute and which refuse (with the engine's first errors).
/// </summary>
public sealed class RecomputeJob(ResultsStore store, KaoheDbContext db) : IJobHandler
{
    public const string JobKind = "results.recompute";

    public string Kind => JobKind;

    public async Task<JobOutcome> RunAsync(JobContext context, CancellationToken ct)
    {
        var period = context.Job.PeriodId!;
        var lines = new List<string>();
        var errors = new Dictionary<string, string[]>();
        var i = 0;
        foreach (var c in Categories.All)
        {
            context.Progress.Report(new JobProgress(i++, Categories.All.Count, $"{c.NameZh}"));
            // Through the results store, so that the ranking page and the explanations read what this job computed.
            var d = await store.DraftAsync(db, period, c.Code, ct);
            if (d is null || d.NoScheme) continue;
            if (d.Scored) lines.Add($"{c.NameZh} {d.Units.Count}");
            else errors[c.Code] = [.. d.Errors.Take(20).Select(e => $"{e.Path}: {Ui.T(e.Zh, e.En)}")];
        }
        context.Progress.Report(new JobProgress(Categories.All.Count, Categories.All.Count, null));
        var summary = $"已计算：{string.Join("；", lines)} / computed: {lines.Count} categories";
        return errors.Count == 0
            ? JobOutcome.Success(summary, null, $"/Results?period={Uri.EscapeDataString(period)}")
            : JobOutcome.Failure($"{summary}；{errors.Count} 个类别数据不全，无法计算 / {errors.Count} categories cannot be computed", errors);
    }
}
