using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Audit;

public sealed record AuditDto(long Sequence, DateTimeOffset At, string Actor, string Action, string EntityType, string EntityId, string? OldValue, string? NewValue, string? Reason, string Hash);

public static class AuditApi
{
    public static void MapAuditApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/audit").RequireAuthorization(Policies.Office);
        g.MapGet("", List).WithSummary("审计日志 / audit trail");
        g.MapGet("/verify", Verify).WithSummary("校验哈希链 / verify the hash chain");
    }

    /// <summary>The trail, newest first; <paramref name="period"/>, <paramref name="unit"/>, <paramref name="actor"/> and <paramref name="action"/> filter as the page does.</summary>
    private static async Task<Ok<List<AuditDto>>> List(KaoheDbContext db, string? entityType = null, string? entityId = null, int skip = 0, int take = 100,
        string? period = null, string? unit = null, string? actor = null, string? action = null)
    {
        var q = new AuditFilter(period, unit, actor, action).Apply(db, db.AuditEntries.AsNoTracking());
        if (entityType is not null) q = q.Where(e => e.EntityType == entityType);
        if (entityId is not null) q = q.Where(e => e.EntityId == entityId);
        var list = await q.OrderByDescending(e => e.Sequence).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 1000))
            .Select(e => new AuditDto(e.Sequence, e.At, e.Actor, e.Action, e.EntityType, e.EntityId, e.OldValue, e.NewValue, e.Reason, e.Hash)).ToListAsync();
        return TypedResults.Ok(list);
    }

    private static async Task<Ok<ChainCheck>> Verify(KaoheDbContext db) => TypedResults.Ok(await AuditChain.VerifyAsync(db));
}
