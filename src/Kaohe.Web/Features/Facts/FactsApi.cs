using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Facts;

public sealed record FactDto(long Id, string PeriodId, string UnitId, string? IndicatorId, string Kind, string? Rater, string Payload,
    string Source, string Author, DateTimeOffset RecordedAt, string Status, string? StatusReason);

public static class FactsApi
{
    public static IServiceCollection AddFacts(this IServiceCollection services) =>
        services.AddScoped<IAuthorizationHandler, FactAuthorization>();

    public static void MapFactsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/facts", List).RequireAuthorization(Policies.Staff).WithSummary("考核数据（按角色和单位过滤）/ facts, scoped by role and unit");
        api.MapGet("/facts/{id:long}", Get).ProducesFailures(FailureKind.NotFound).RequireAuthorization(Policies.Staff);
    }

    private static FactDto Dto(Fact f) => new(f.Id, f.PeriodId, f.UnitId, f.IndicatorId, f.Kind.ToString(), f.Rater, f.Payload, f.Source, f.Author, f.RecordedAt, f.Status.ToString(), f.StatusReason);

    private static async Task<Ok<List<FactDto>>> List(ClaimsPrincipal user, KaoheDbContext db, string? period = null, string? unit = null, string? indicator = null)
    {
        var q = db.Facts.AsNoTracking().VisibleTo(user, db);
        if (period is not null) q = q.Where(f => f.PeriodId == period);
        if (unit is not null) q = q.Where(f => f.UnitId == unit);
        if (indicator is not null) q = q.Where(f => f.IndicatorId == indicator);
        var list = await q.OrderBy(f => f.Id).Take(5000).ToListAsync();
        return TypedResults.Ok(list.Select(Dto).ToList());
    }

    private static async Task<Results<Ok<FactDto>, ProblemHttpResult>> Get(long id, ClaimsPrincipal user, KaoheDbContext db, IAuthorizationService authorization)
    {
        var f = await db.Facts.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id);
        return f is null || !await authorization.MayAsync(user, f, UnitOperations.Read) ? Problems.NotFound($"数据 {id} 不存在或无权查看", $"fact {id} does not exist or is not visible to you") : TypedResults.Ok(Dto(f));
    }
}
