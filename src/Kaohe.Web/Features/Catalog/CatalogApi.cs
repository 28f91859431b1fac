using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Catalog;

public sealed record UnitDto(string Id, string Name, string NameEn, string Kind, string Level, string? Prefecture, string Group);

public sealed record PeriodDto(string Id, int Year, int? Quarter, string Label, string Status, DateOnly ReportDeadline);

/// <summary>Units and periods. A unit reporter sees only its own unit; platforms see none.</summary>
public static class CatalogApi
{
    public static void MapCatalogApi(this RouteGroupBuilder api)
    {
        api.MapGet("/units", ListUnits).RequireAuthorization(Policies.Staff).WithSummary("被考核单位 / assessed units");
        api.MapGet("/units/{id}", GetUnit).ProducesFailures(FailureKind.NotFound).RequireAuthorization(Policies.Staff);
        api.MapGet("/periods", ListPeriods).RequireAuthorization(Policies.Staff).WithSummary("考核期 / periods");
    }

    /// <summary>The units a person may see: all of them, except for a unit reporter who sees only their own.</summary>
    public static IQueryable<OrgUnit> Visible(this IQueryable<OrgUnit> units, ClaimsPrincipal user) =>
        user.IsInRole(Roles.Unit) ? units.Where(u => u.Id == user.UnitId()) : units;

    private static async Task<Ok<List<UnitDto>>> ListUnits(ClaimsPrincipal user, KaoheDbContext db, string? kind = null, string? group = null)
    {
        var q = db.Units.AsNoTracking().Visible(user);
        if (kind is not null && Enum.TryParse<UnitKind>(kind, true, out var k)) q = q.Where(u => u.Kind == k);
        if (group is not null) q = q.Where(u => u.Group == group);
        var list = await q.OrderBy(u => u.Kind).ThenBy(u => u.Group).ThenBy(u => u.Id)
            .Select(u => new UnitDto(u.Id, u.Name, u.NameEn, u.Kind.ToString(), u.Level.ToString(), u.Prefecture, u.Group)).ToListAsync();
        return TypedResults.Ok(list);
    }

    private static async Task<Results<Ok<UnitDto>, ProblemHttpResult>> GetUnit(string id, ClaimsPrincipal user, KaoheDbContext db)
    {
        var unit = await db.Units.AsNoTracking().Visible(user).Where(u => u.Id == id)
            .Select(u => new UnitDto(u.Id, u.Name, u.NameEn, u.Kind.ToString(), u.Level.ToString(), u.Prefecture, u.Group)).FirstOrDefaultAsync();
        return unit is null ? Problems.NotFound($"单位 \"{id}\" 不存在或无权查看", $"unit \"{id}\" does not exist or is not visible to you") : TypedResults.Ok(unit);
    }

    private static async Task<Ok<List<PeriodDto>>> ListPeriods(KaoheDbContext db)
    {
        var periods = await db.Periods.AsNoTracking().OrderBy(p => p.Year).ThenBy(p => p.Quarter == null).ThenBy(p => p.Quarter).ToListAsync();
        return TypedResults.Ok(periods.Select(p => new PeriodDto(p.Id, p.Year, p.Quarter, p.Label(Ui.IsEnglish), p.Status.ToString(), p.ReportDeadline)).ToList());
    }
}
