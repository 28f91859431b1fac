using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Features.Attachments;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Inspections;

public sealed record DrawRequest(string? Period, string? Seed, int? PerPrefecture, string? Reason);

public sealed record FormRequest(string? Period, int? Groups);

public sealed record MoveRequest(string? Period, string? InspectorId, string? SiteId, int? ToGroupId, string? Reason);

public sealed record LinkRequest(string? UserName);

public sealed record InspectorRequest(string? Name, string? PrefectureId, string? Bureau, string? UserName);

public sealed record MineDto(IReadOnlyList<GroupDto> Groups, IReadOnlyDictionary<string, IReadOnlyList<ChecklistItem>> Checklists);
/// <summary>A draw checked again from its recorded seed and algorithm: whether the sample comes out the same, and which units were redrawn.</summary>
public sealed record DrawCheck(long Id, string Algorithm, string Seed, bool Matches, IEnumerable<string> Redrawn);

/// <summary>Photos of a finding: the office, and the members of the group that made it.</summary>
public sealed class FindingPhotoPolicy(IAuthorizationService authorization) : IAttachmentOwnerPolicy
{
    public string OwnerKind => InspectionService.PhotoOwnerKind;

    public async Task<bool> CanReadAsync(ClaimsPrincipal user, string ownerId, KaoheDbContext db, CancellationToken ct) =>
        long.TryParse(ownerId, out var id) && await db.Set<InspectionFinding>().AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, ct) is { } finding
            && await authorization.MayAsync(user, finding, UnitOperations.Read);
}

/// <summary>/api/v1/inspections: groups and sampling for the office, the site list and the idempotent sync for assessors' phones.</summary>
public static class InspectionsApi
{
    public const string AssessorPolicy = "assessor";

    public static IServiceCollection AddInspections(this IServiceCollection services)
    {
        services.AddScoped<InspectionService>();
        services.AddScoped<IAttachmentOwnerPolicy, FindingPhotoPolicy>();
        services.AddScoped<IAuthorizationHandler, InspectionFindingAuthorization>();
        services.Configure<AuthorizationOptions>(o => o.AddPolicy(AssessorPolicy, p => p.RequireRole(Roles.Assessor)));
        return services;
    }

    /// <summary>The roster, the sample and the groups say who inspects where; the findings are the input.</summary>
    private const string SetUp = "set-up: roster, sample and groups";

    public static void MapInspectionsApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/inspections").WithTags("Inspections 实地考核");

        // The office: roster, sampling, groups.
        g.MapGet("/inspectors", async (InspectionService s, CancellationToken ct) =>
            TypedResults.Ok((await s.RosterAsync(ct)).Select(i => new MemberDto(i.Id, i.Name, i.PrefectureId, i.Bureau, i.UserName))))
            .RequireAuthorization(Policies.Office).WithSummary("考核人员名单 / the roster of officials");
        g.MapPost("/inspectors", async (InspectorRequest r, InspectionService s, CancellationToken ct) =>
            Result(await s.AddInspectorAsync(r.Name, r.PrefectureId, r.Bureau, r.UserName, ct)))
            .ProducesFailures(FailureKind.Invalid, FailureKind.Conflict).RequireAuthorization(Policies.Office).NotPeriodInputs(SetUp).WithSummary("添加考核人员 / add an official to the roster");
        g.MapPut("/inspectors/{id}/account", async (string id, LinkRequest r, InspectionService s, CancellationToken ct) =>
            Result(await s.LinkAccountAsync(id, r.UserName, ct)))
            .ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).NotPeriodInputs(SetUp).WithSummary("关联考核组账号 / link an assessor account to an official");
        g.MapGet("/draws", async (string? period, InspectionService s, CancellationToken ct) =>
            TypedResults.Ok((await s.DrawsAsync(period ?? "", ct)).Select(InspectionService.Dto)))
            .RequireAuthorization(Policies.Office).WithSummary("抽样记录（含已被替换的）/ the period's draws, superseded ones included");
        g.MapPost("/draws", async (DrawRequest r, InspectionService s, ClaimsPrincipal user, CancellationToken ct) =>
            Result(await s.DrawAsync(r.Period ?? "", r.Seed, r.PerPrefecture, r.Reason, user.Identity?.Name ?? "", ct)))
            .ProducesFailures(FailureKind.Invalid, FailureKind.Conflict).RequireAuthorization(Policies.Office).NotPeriodInputs(SetUp).WithSummary("抽样（重新抽样时保留原记录）/ draw the sample; drawing again keeps the earlier draw");
        g.MapGet("/draws/{id:long}/verify", async Task<Results<Ok<DrawCheck>, ProblemHttpResult>> (long id, KaoheDbContext db, CancellationToken ct) =>
        {
            var d = await db.Set<SamplingDraw>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
            if (d is null) return Problems.NotFound($"抽样记录 {id} 不存在", $"draw {id} does not exist");
            var (matches, redrawn) = InspectionService.Verify(d);
            return TypedResults.Ok(new DrawCheck(id, d.Algorithm, d.Seed, matches, redrawn.Select(c => c.Id)));
        }).ProducesFailures(FailureKind.NotFound).RequireAuthorization(Policies.Staff).WithSummary("按记录的种子和算法重新抽取并核对 / re-draw from the recorded seed and compare");
        g.MapGet("/groups", async (string? period, InspectionService s, CancellationToken ct) => TypedResults.Ok(await s.GroupsAsync(period ?? "", ct)))
            .RequireAuthorization(Policies.Office).WithSummary("考核组 / the period's groups");
        g.MapPost("/groups/form", async (FormRequest r, InspectionService s, ClaimsPrincipal user, CancellationToken ct) =>
            Result(await s.FormAsync(r.Period ?? "", r.Groups, user.Identity?.Name ?? "", ct)))
            .ProducesFailures(FailureKind.Invalid, FailureKind.Conflict).RequireAuthorization(Policies.Office).NotPeriodInputs(SetUp).WithSummary("按回避要求自动组队 / form groups automatically under the avoidance rule");
        g.MapPost("/groups/move", async (MoveRequest r, InspectionService s, CancellationToken ct) =>
            Result(await s.MoveAsync(r.Period ?? "", r.InspectorId, r.SiteId, r.ToGroupId, r.Reason, ct)))
            .ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(Policies.Office).NotPeriodInputs(SetUp).WithSummary("手工调整成员或点位（违反回避的调整被拒绝）/ move a member or a site by hand; a breach of the avoidance rule is refused");

        // The assessor's phone.
        g.MapGet("/mine", async (InspectionService s, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var groups = await s.MyGroupsAsync(user, ct);
            var lists = new Dictionary<string, IReadOnlyList<ChecklistItem>>();
            foreach (var p in groups.Select(x => x.PeriodId).Distinct()) lists[p] = await s.ChecklistAsync(p, ct);
            return TypedResults.Ok(new MineDto(groups, lists));
        }).RequireAuthorization(AssessorPolicy).WithSummary("我的考核组、点位和检查清单 / my groups, sites and checklists");
        g.MapGet("/groups/{groupId:int}/findings", async Task<Results<Ok<List<FindingDto>>, ProblemHttpResult>> (int groupId, string? site, InspectionService s, ClaimsPrincipal user, CancellationToken ct) =>
            await s.GroupForAsync(user, groupId, write: false, ct) is null ? NoGroup(groupId) : TypedResults.Ok(await s.FindingsAsync(groupId, site, ct)))
            .ProducesFailures(FailureKind.NotFound).RequireAuthorization(Policies.Staff).WithSummary("考核组的实地考核记录 / the group's findings");
        g.MapGet("/groups/{groupId:int}/sites/{siteId}", async Task<Results<Ok<SiteDetail>, ProblemHttpResult>> (int groupId, string siteId, InspectionService s, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var group = await s.GroupForAsync(user, groupId, write: false, ct);
            if (group is null) return NoGroup(groupId);
            return await s.SiteAsync(group, siteId, ct) is { } d ? TypedResults.Ok(d) : Problems.NotFound($"点位 {siteId} 不属于该考核组", $"site {siteId} is not one of the group's");
        }).ProducesFailures(FailureKind.NotFound).RequireAuthorization(Policies.Staff).WithSummary("点位的记录和得分 / a site's findings and the score of its unit");
        g.MapPost("/groups/{groupId:int}/findings", async Task<Results<Ok<FindingDto>, Created<FindingDto>, ProblemHttpResult>> (int groupId, FindingRequest r, InspectionService s, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var group = await s.GroupForAsync(user, groupId, write: true, ct);
            if (group is null) return NoGroup(groupId);
            var outcome = await s.RecordFindingAsync(user, group, r, ct);
            return outcome.Failure is not null ? outcome.Failure.ToProblem()
                : outcome.Created ? TypedResults.Created($"/api/v1/inspections/groups/{groupId}/findings/{outcome.Value!.ClientId}", outcome.Value) : TypedResults.Ok(outcome.Value);
        }).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict).RequireAuthorization(AssessorPolicy).WritesPeriodInputs(PeriodInput.Data)
            .WithSummary("上传一条实地考核记录（按 clientId 幂等：重发返回已存记录）/ send a finding; idempotent by clientId (a resend returns the stored one)");
        g.MapPut("/groups/{groupId:int}/findings/{clientId}/photos/{photoClientId}",
            async Task<Results<Ok<PhotoDto>, Created<PhotoDto>, ProblemHttpResult>> (int groupId, string clientId, string photoClientId, string? fileName, HttpRequest request, InspectionService s, ClaimsPrincipal user, CancellationToken ct) =>
            {
                var group = await s.GroupForAsync(user, groupId, write: true, ct);
                if (group is null) return NoGroup(groupId);
                var outcome = await s.AddPhotoAsync(user, group, clientId, photoClientId, fileName, request.Body, ct);
                return outcome.Failure is not null ? outcome.Failure.ToProblem() : outcome.Created ? TypedResults.Created(outcome.Value!.Url, outcome.Value) : TypedResults.Ok(outcome.Value);
            }).ProducesFailures(FailureKind.Invalid, FailureKind.NotFound, FailureKind.Conflict, FailureKind.Unsupported).RequireAuthorization(AssessorPolicy).WritesPeriodInputs(PeriodInput.Data)
            .WithSummary("上传记录的一张照片（请求体为图片；按 photoClientId 幂等）/ upload one photo of a finding as the body; idempotent by photoClientId");
    }

    private static ProblemHttpResult NoGroup(int groupId) =>
        Problems.NotFound($"考核组 {groupId} 不存在或您不是其成员", $"group {groupId} does not exist or you are not one of its members");

    /// <summary>A 201 without a Location (the roster, draws and groups have no URL of their own), a 200, or the failure.</summary>
    private static Results<Ok<T>, Created<T>, ProblemHttpResult> Result<T>(Outcome<T> o) =>
        o.Failure is not null ? o.Failure.ToProblem() : o.Created ? TypedResults.Created((string?)null, o.Value) : TypedResults.Ok(o.Value);
}
