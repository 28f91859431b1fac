using Kaohe.Web.Features.Jobs;
using Kaohe.Web.Features.Results;
using Kaohe.Web.Infrastructure;

namespace Kaohe.Web.Features.Publication;

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
