using System.Collections.Concurrent;
using Kaohe.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Surveys;

/// <summary>What a submission needs of a period's active questionnaire, parsed and decrypted once.</summary>
public sealed record CachedSurvey(int Id, Questionnaire Questionnaire, HashSet<string> Languages, byte[] ClientKey);

public sealed record CachedSite(int Id, string PeriodId, string Code);

/// <summary>
/// The active questionnaire of each period and the sites, cached for every submission instead of
/// read for each one. An entry lives <c>Kaohe:Survey:CacheSeconds</c> (5 s by default); a change of
/// questionnaire or site on this instance invalidates it at once (<see cref="Invalidate"/>), and one
/// made on another instance sharing the database is seen within the expiry. A response records the
/// questionnaire version it answered, so one stored against the previous version for those seconds
/// is still tallied with its own questions.
/// </summary>
public sealed class SurveyCache(IServiceScopeFactory scopes, IDataProtectionProvider protection, TimeProvider clock, IConfiguration config)
{
    private sealed record Entry<T>(Task<T> Value, DateTimeOffset Until);

    private readonly ConcurrentDictionary<string, Entry<CachedSurvey?>> _surveys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, Entry<CachedSite?>> _sites = new();
    private readonly TimeSpan _life = TimeSpan.FromSeconds(Math.Clamp(config.GetValue("Kaohe:Survey:CacheSeconds", 5.0), 0, 3600));

    public Task<CachedSurvey?> ActiveAsync(string periodId) => Get(_surveys, periodId, LoadSurveyAsync);

    public Task<CachedSite?> SiteAsync(int siteId) => Get(_sites, siteId, LoadSiteAsync);

    /// <summary>Forgets a period's questionnaire and all sites: called after the office changes either.</summary>
    public void Invalidate(string? periodId = null)
    {
        if (periodId is null) _surveys.Clear();
        else _surveys.TryRemove(periodId, out _);
        _sites.Clear();
    }

    private Task<T> Get<TKey, T>(ConcurrentDictionary<TKey, Entry<T>> map, TKey key, Func<TKey, Task<T>> load) where TKey : notnull
    {
        var now = clock.GetUtcNow();
        if (map.TryGetValue(key, out var e) && e.Until > now && !e.Value.IsFaulted) return e.Value;
        // Concurrent misses share one load (the lock is held only while the load starts); a failed load is not kept.
        lock (map)
        {
            if (map.TryGetValue(key, out e) && e.Until > now && !e.Value.IsFaulted) return e.Value;
            var fresh = new Entry<T>(load(key), now + _life);
            map[key] = fresh;
            return fresh.Value;
        }
    }

    private async Task<CachedSurvey?> LoadSurveyAsync(string periodId)
    {
        await Task.Yield();
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        var row = await db.Set<SurveyQuestionnaire>().AsNoTracking()
            .Where(q => q.PeriodId == periodId && q.Status == QuestionnaireStatus.Active)
            .OrderByDescending(q => q.Version).FirstOrDefaultAsync();
        if (row is null) return null;
        var q = SurveyDocuments.ParseQuestionnaire(row.Document);
        var key = Convert.FromBase64String(protection.CreateProtector(SurveyDocuments.BatchPurpose).Unprotect(row.ProtectedClientKey));
        return new CachedSurvey(row.Id, q, [.. q.Languages], key);
    }

    private async Task<CachedSite?> LoadSiteAsync(int siteId)
    {
        await Task.Yield();
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        return await db.Set<SurveySite>().AsNoTracking().Where(s => s.Id == siteId)
            .Select(s => new CachedSite(s.Id, s.PeriodId, s.Code)).FirstOrDefaultAsync();
    }
}
