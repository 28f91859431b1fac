using Kaohe.Data;
using Kaohe.Web.Features.Surveys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kaohe.Web.Tests.Infrastructure;

/// <summary>
/// The demo has its survey (questionnaire, 21 sites) only in the published 2023-Q1, where 更新统计 is
/// refused (docs/stages.md). Tests that write tallies copy it into a quarter still being collected, as
/// 设置下一考核期 does for a new quarter: same questionnaire (a new client-hash key), same sites and quotas.
/// </summary>
public static class DemoSurvey
{
    public const string From = "2023-Q1";

    /// <summary>Copies the survey into <paramref name="period"/> once; later calls find it there.</summary>
    public static async Task CopyAsync(AppFixture app, string period)
    {
        using var scope = app.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var surveys = scope.ServiceProvider.GetRequiredService<SurveyService>();
        if (await db.Set<SurveyQuestionnaire>().AnyAsync(q => q.PeriodId == period)) return;
        foreach (var q in await db.Set<SurveyQuestionnaire>().AsNoTracking().Where(q => q.PeriodId == From && q.Status == QuestionnaireStatus.Active).ToListAsync())
        {
            var copy = new SurveyQuestionnaire(period, q.Category, q.IndicatorId, 1, q.Title, q.LanguagesJson, q.Document, surveys.NewProtectedSecret(), "office", q.CreatedAt);
            copy.Activate();
            db.Add(copy);
        }
        foreach (var s in await db.Set<SurveySite>().AsNoTracking().Where(s => s.PeriodId == From).ToListAsync())
            db.Add(new SurveySite(period, s.UnitId, s.Place, s.Code, s.Quota, s.Order));
        await db.SaveChangesAsync();
    }
}
