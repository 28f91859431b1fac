using System.Globalization;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Publication;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Features.Schemes;
using Kaohe.Web.Infrastructure;

namespace Kaohe.Web.Features.Jobs;

/// <summary>Writes a job's file to a temporary file, then stores it through <see cref="IAttachmentStore"/> as an attachment of the job.</summary>
internal static class JobFiles
{
    public static async Task<Attachment> StoreAsync(JobContext context, string fileName, Action<Stream> write, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), "kaohe-job-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024))
                write(file);
            await using var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
            var store = context.Get<IAttachmentStore>();
            var db = context.Get<KaoheDbContext>();
            var audit = context.Get<AuditLog>();
            var a = await store.SaveAsync(read, fileName, context.Job.Owner, JobAttachmentPolicy.Kind, context.Job.Id, ct);
            db.Attachments.Add(a);
            audit.Record("job.result", "attachment", () => a.Id.ToString(CultureInfo.InvariantCulture), null, new { a.FileName, a.Size, a.Sha256, job = context.Job.Id });
            await audit.SaveAsync(ct);
            return a;
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>考核通报 .docx of a period, for 3,000 units as for 30: results, narrative, then the document.</summary>
public sealed class BulletinJob(Bulletins bulletins, ILogger<BulletinJob> log) : IJobHandler
{
    public const string JobKind = "bulletin.docx";

    public string Kind => JobKind;

    public async Task<JobOutcome> RunAsync(JobContext context, CancellationToken ct)
    {
        var period = context.Job.PeriodId!;
        context.Progress.Report(new JobProgress(0, 3, "计算结果 / computing results"));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var content = await bulletins.ContentAsync(period, (context.User.Role(), context.User.UnitId()), ct);
        var contentMs = watch.ElapsedMilliseconds;
        if (content is null) return JobOutcome.Failure($"考核期 {period} 不存在 / period {period} does not exist");
        var units = content.Categories.Sum(c => c.Groups.Sum(g => g.Rows.Count));
        context.Progress.Report(new JobProgress(1, 3, "生成文档 / writing the document"));
        long writeMs = 0;
        watch.Restart();
        var a = await JobFiles.StoreAsync(context, $"考核通报-{period}.docx", s =>
        {
            var w = System.Diagnostics.Stopwatch.StartNew();
            BulletinDocument.Write(content, s);
            writeMs = w.ElapsedMilliseconds;
        }, ct);
        log.LogInformation("Bulletin {Period}: content (results, narrative) {Content} ms, .docx {Write} ms, stored in {Store} ms total", period, contentMs, writeMs, watch.ElapsedMilliseconds);
        context.Progress.Report(new JobProgress(3, 3, null));
        return JobOutcome.Success($"考核通报已生成（{units} 个单位）/ the bulletin is ready ({units} units)", a.Id);
    }
}

/// <summary>The workbook of all scores of a period.</summary>
public sealed class ScoresWorkbookJob(Bulletins bulletins) : IJobHandler
{
    public const string JobKind = "scores.xlsx";

    public string Kind => JobKind;

    public async Task<JobOutcome> RunAsync(JobContext context, CancellationToken ct)
    {
        var period = context.Job.PeriodId!;
        context.Progress.Report(new JobProgress(0, 3, "计算结果 / computing results"));
        var results = await bulletins.ResultsAsync(period, (context.User.Role(), context.User.UnitId()), ct);
        context.Progress.Report(new JobProgress(1, 3, "生成工作簿 / writing the workbook"));
        var a = await JobFiles.StoreAsync(context, $"考核得分-{period}.xlsx",
            s => ScoresWorkbook.Write(s, period, [.. results.Select(r => new CategoryResult(r.Name, r.Input, r.Units))]), ct);
        return JobOutcome.Success($"全部得分工作簿已生成（{results.Sum(r => r.Units.Count)} 个单位）/ the workbook is ready", a.Id);
    }
}

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
