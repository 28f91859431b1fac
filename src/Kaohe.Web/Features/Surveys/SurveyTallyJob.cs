using Kaohe.Web.Features.Jobs;

namespace Kaohe.Web.Features.Surveys;

/// <summary>
/// 更新统计 (满意度测评) in the background: counts a period's responses into the tallies and writes the
/// changed ones as survey facts, as <see cref="SurveyService.RecomputeAsync"/> does for the synchronous
/// API. At national scale that is 1,000,000 responses into 3,000 tallies. Progress: responses read,
/// then units compared and tallies written; the bar counts both (responses + units). All or nothing:
/// the tallies and their audit entries are saved in one transaction at the end, so a failed job leaves
/// the previous tallies.
/// </summary>
public sealed class SurveyTallyJob(SurveyService surveys) : IJobHandler
{
    public const string JobKind = "survey.tallies";

    public string Kind => JobKind;

    public async Task<JobOutcome> RunAsync(JobContext context, CancellationToken ct)
    {
        var period = context.Job.PeriodId!;
        long responses = 0;
        var progress = new SyncProgress(p =>
        {
            switch (p.Phase)
            {
                case TallyPhase.Reading:
                    responses = p.Total;
                    context.Progress.Report(new JobProgress(p.Done, p.Total, "读取答卷 / reading responses"));
                    break;
                case TallyPhase.Writing:
                    context.Progress.Report(new JobProgress(responses + p.Done, responses + p.Total, $"比对并写入统计 {p.Done} / {p.Total} 个单位 / comparing and writing tallies"));
                    break;
                case TallyPhase.Saving:
                    context.Progress.Report(new JobProgress(responses + p.Total, responses + p.Total + 1, $"保存 {p.Done} 个单位的统计 / saving {p.Done} changed tallies"));
                    break;
                default:
                    context.Progress.Report(new JobProgress(responses + p.Total, responses + p.Total, null));
                    break;
            }
        });
        var result = await surveys.RecomputeAsync(period, context.Job.Owner, ct, progress);
        if (result is null) return JobOutcome.Failure($"{period} 没有启用的问卷 / no active questionnaire in {period}");
        return JobOutcome.Success(
            $"统计已更新：{result.Responses} 份答卷，{result.Units} 个单位，其中 {result.Changed} 个单位的统计有变化 / tallies updated: {result.Responses} responses, {result.Units} units, {result.Changed} changed",
            null, $"/Surveys?period={Uri.EscapeDataString(period)}");
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and could reorder the phases).</summary>
    private sealed class SyncProgress(Action<TallyProgress> report) : IProgress<TallyProgress>
    {
        public void Report(TallyProgress value) => report(value);
    }
}
