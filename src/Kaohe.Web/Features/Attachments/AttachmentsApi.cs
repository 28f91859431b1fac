using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Features.Facts;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace Kaohe.Web.Features.Attachments;

/// <summary>
/// Who may download the files of one kind of owner. Each feature that stores attachments registers
/// one (<c>services.AddScoped&lt;IAttachmentOwnerPolicy, ...&gt;()</c>); a file whose owner kind has
/// no policy is served to the office only.
/// </summary>
public interface IAttachmentOwnerPolicy
{
    string OwnerKind { get; }

    Task<bool> CanReadAsync(ClaimsPrincipal user, string ownerId, KaoheDbContext db, CancellationToken ct);
}

/// <summary>Evidence of a fact (佐证材料): visible to whoever may see the fact.</summary>
public sealed class FactAttachmentPolicy(IAuthorizationService authorization) : IAttachmentOwnerPolicy
{
    public const string Kind = "fact";

    public string OwnerKind => Kind;

    public async Task<bool> CanReadAsync(ClaimsPrincipal user, string ownerId, KaoheDbContext db, CancellationToken ct) =>
        long.TryParse(ownerId, out var id) && await db.Facts.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, ct) is { } fact
            && await authorization.MayAsync(user, fact, UnitOperations.Read);
}

public sealed record AttachmentDto(long Id, string FileName, string ContentType, long Size, string Sha256, string UploadedBy, DateTimeOffset UploadedAt, string Url);

public static class AttachmentsApi
{
    public static AttachmentDto Dto(Attachment a) => new(a.Id, a.FileName, a.ContentType, a.Size, a.Sha256, a.UploadedBy, a.UploadedAt, $"/api/v1/attachments/{a.Id}");

    public static void MapAttachmentsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/attachments/{id:long}", Download).RequireAuthorization(Policies.Staff)
            // Any stored type, sent as a download; 410 when the record remains but its file is gone.
            .ProducesFile("application/octet-stream").ProducesFailures(FailureKind.NotFound).ProducesProblem(StatusCodes.Status410Gone)
            .WithSummary("下载附件（仅限有权查看其所属数据者）/ download an attachment, for those who may see what it belongs to");
    }

    /// <summary>
    /// Serves a file as a download (<c>Content-Disposition: attachment</c>, <c>nosniff</c>, a sandboxing
    /// CSP), never inline, so an uploaded HTML or SVG cannot run in the application's origin. A file
    /// the user may not see is answered like one that does not exist.
    /// </summary>
    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Download(long id, ClaimsPrincipal user, KaoheDbContext db, IAttachmentStore store,
        IEnumerable<IAttachmentOwnerPolicy> policies, HttpContext http, CancellationToken ct)
    {
        var a = await db.Attachments.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        var policy = a is null ? null : policies.FirstOrDefault(p => p.OwnerKind == a.OwnerKind);
        var allowed = a is not null && (user.Role() == Roles.Office || (policy is not null && await policy.CanReadAsync(user, a.OwnerId, db, ct)));
        if (!allowed) return Problems.NotFound($"附件 {id} 不存在或无权查看", $"attachment {id} does not exist or is not visible to you");
        if (!store.Exists(a!))
            return Problems.Problem(StatusCodes.Status410Gone, Ui.T("文件缺失", "File missing"),
                Ui.T($"附件“{a!.FileName}”的文件已不在存储中，请联系管理员", $"The file of attachment \"{a!.FileName}\" is no longer in storage; contact the administrator"));
        http.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        http.Response.Headers[HeaderNames.ContentSecurityPolicy] = "sandbox; default-src 'none'";
        http.Response.Headers["X-Content-SHA256"] = a!.Sha256;
        return TypedResults.File(store.OpenRead(a), a.ContentType, a.FileName, enableRangeProcessing: true);
    }
}
