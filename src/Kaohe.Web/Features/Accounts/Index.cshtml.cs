using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Features.Shared;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using System.Security.Claims;

namespace Kaohe.Web.Features.Accounts;

/// <summary>账号管理 for the office: people with a role and a unit, passwords generated (never a fixed default), unlock.</summary>
[NotPeriodInputs("accounts and platform keys")]
[Authorize(Policy = Policies.Office)]
public sealed class IndexModel(KaoheDbContext db, UserManager<AppUser> users, AuditLog audit, TimeProvider clock, SignInGuard guard, AccountAdmin admin) : PageModel
{
    /// <summary>One page of the accounts (3,000 unit reporters at national scale), filtered by role and text, sorted in the database.</summary>
    public Paged<AppUser> Users { get; private set; } = null!;

    /// <summary>The list's filters, from the query string only: the create form's Role and the filter are different things.</summary>
    public string? RoleFilter => Request.Query["role"].ToString() is { Length: > 0 } r ? r : null;

    public string? Q => Request.Query["q"].ToString() is { Length: > 0 } q ? q : null;

    private static readonly Sorts<AppUser> UserSorts = Sorts<AppUser>.By("role", u => u.Id)
        .Add("role", u => u.Role, u => u.UserName)
        .Add("user", u => u.UserName)
        .Add("name", u => u.DisplayName)
        .Add("unit", u => u.UnitId);
    private List<SignInFailure> _locks = [];
    private Dictionary<string, int> _sessions = [];
    public IReadOnlyList<OrgUnit> Units { get; private set; } = [];
    public IReadOnlyList<ApiKey> Keys { get; private set; } = [];
    [BindProperty] public string? KeyName { get; set; }
    [BindProperty] public string? KeyIndicators { get; set; }
    public string? NewKey { get; private set; }
    [BindProperty] public string? UserName { get; set; }
    [BindProperty] public string? DisplayName { get; set; }
    [BindProperty] public string? Role { get; set; }
    [BindProperty] public string? UnitId { get; set; }
    public string? Error { get; private set; }
    public string? NewPassword { get; private set; }

    /// <summary>Whose password <see cref="NewPassword"/> is, after a reset (null after creating an account).</summary>
    public string? ResetFor { get; private set; }

    public string? Done { get; private set; }

    public async Task OnGetAsync()
    {
        var users = db.Users.AsNoTracking();
        if (RoleFilter is { } role) users = users.Where(u => u.Role == role);
        if (Q?.Trim() is { Length: > 0 } text) users = users.Where(u => u.UserName!.Contains(text) || u.DisplayName.Contains(text) || (u.UnitId != null && u.UnitId.Contains(text)));
        Users = await users.PageAsync(PageQuery.From(Request), UserSorts);
        // Only the units this page's rows name (the create form searches units as the office types: 3,000 at national scale).
        var shown = Users.Items.Where(u => u.UnitId != null).Select(u => u.UnitId!).Distinct().ToList();
        Units = await db.Units.AsNoTracking().Where(u => shown.Contains(u.Id)).ToListAsync();
        Keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync();
        _locks = await guard.LocksAsync();
        var now = clock.GetUtcNow();
        _sessions = await db.AccessTokens.AsNoTracking().Where(t => t.ExpiresAt > now).GroupBy(t => t.UserId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count);
    }

    /// <summary>The addresses paused from signing in to this account (SignInGuard).</summary>
    public IReadOnlyList<SignInFailure> LocksOf(AppUser u) => [.. _locks.Where(l => l.UserName == u.NormalizedUserName)];

    public int SessionCount(AppUser u) => _sessions.GetValueOrDefault(u.Id);

    public async Task<IActionResult> OnPostEndSessionsAsync(string id)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null) return NotFound();
        await guard.EndAllAsync(user);
        await OnGetAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostKeyAsync()
    {
        var result = await ApiKeysApi.Create(new CreateApiKeyRequest(KeyName, KeyIndicators?.Split([',', '，', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)), db, audit, clock);
        if (result.Result is Microsoft.AspNetCore.Http.HttpResults.Created<NewApiKey> created) NewKey = created.Value!.Secret;
        else if (result.Result is Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult problem)
            Error = string.Join(Ui.T("；", "; "), (problem.ProblemDetails.Extensions.TryGetValue("errors", out var e) && e is IDictionary<string, string[]> d ? d.Values.SelectMany(v => v) : [problem.ProblemDetails.Detail ?? ""]));
        await OnGetAsync();
        return Page();
    }

    /// <summary>Units matching what the office types in the create form (name or code), at most <see cref="UnitMatches"/>, for its list of suggestions.</summary>
    public async Task<IActionResult> OnGetUnitsAsync(string? q)
    {
        var text = q?.Trim() ?? "";
        if (text.Length == 0) return new JsonResult(Array.Empty<object>());
        var lower = text.ToLowerInvariant();
        var found = await db.Units.AsNoTracking()
            .Where(u => u.Name.Contains(text) || u.Id.StartsWith(lower))
            .OrderBy(u => u.Kind).ThenBy(u => u.Id).Take(UnitMatches)
            .Select(u => new { id = u.Id, name = u.Name }).ToListAsync();
        return new JsonResult(found);
    }

    public const int UnitMatches = 20;

    /// <summary>The unit the create form names: its code, or (typed without the suggestions) its exact name when only one unit has it.</summary>
    private async Task<string?> ResolveUnitAsync(string text)
    {
        if (await db.Units.AnyAsync(u => u.Id == text)) return text;
        var byName = await db.Units.Where(u => u.Name == text).Select(u => u.Id).Take(2).ToListAsync();
        return byName.Count == 1 ? byName[0] : null;
    }

    public async Task<IActionResult> OnPostCreateAsync()
    {
        var name = UserName?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            Error = Ui.T("用户名须为 1–64 位字母、数字、-、_ 或 .", "The user name must be 1–64 letters, digits, -, _ or .");
        else if (Role is null || !Roles.People.Contains(Role))
            Error = Ui.T("请选择角色", "Choose a role");
        else if (Role is Roles.Unit or Roles.Division && string.IsNullOrEmpty(UnitId))
            Error = Ui.T("被考核单位和评分处室的账号须指定所属单位", "Unit reporters and divisions need a unit");
        else if (UnitId?.Trim() is { Length: > 0 } typed)
        {
            if (await ResolveUnitAsync(typed) is { } unitId) UnitId = unitId;
            else Error = Ui.T($"所属单位：没有名称或编号为“{typed}”的单位，请从输入时出现的提示中选择",
                $"Unit: no unit is named or coded \"{typed}\"; choose one of the suggestions shown as you type");
        }
        if (Error is null)
        {
            var password = Passwords.New();
            var user = new AppUser { UserName = name, DisplayName = DisplayName?.Trim() ?? name!, Role = Role!, UnitId = string.IsNullOrEmpty(UnitId) ? null : UnitId, LockoutEnabled = true };
            var result = await users.CreateAsync(user, password);
            if (result.Succeeded)
            {
                await MustChangePassword.MarkAsync(users, user);   // the office has seen it: the person sets their own at first sign-in
                audit.Record("account.create", "user", user.UserName!, null, new { user.UserName, user.Role, user.UnitId });
                await audit.SaveAsync();
                NewPassword = password;
                (UserName, DisplayName, UnitId) = (null, null, null);   // the form is for the next account
            }
            else Error = string.Join(Ui.T("；", "; "), result.Errors.Select(e => e.Description));
        }
        await OnGetAsync();
        return Page();
    }

    public Task<IActionResult> OnPostResetAsync(string id) => Act(id, name => admin.ResetPasswordAsync(name), c =>
    {
        NewPassword = c.Password;
        ResetFor = c.Account;
    });

    public Task<IActionResult> OnPostDisableAsync(string id) => Act(id, name => admin.DisableAsync(name, User), c =>
        Done = Ui.T($"账号 {c.Account} 已停用，结束了 {c.SessionsEnded} 个会话。", $"{c.Account} is disabled; {c.SessionsEnded} session(s) ended."));

    public Task<IActionResult> OnPostEnableAsync(string id) => Act(id, name => admin.EnableAsync(name), c =>
        Done = Ui.T($"账号 {c.Account} 已启用。", $"{c.Account} is enabled."));

    private async Task<IActionResult> Act(string id, Func<string, Task<(AccountChange? Change, Failure? Refusal)>> action, Action<AccountChange> shown)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null) return NotFound();
        var (change, refusal) = await action(user.UserName!);
        if (refusal is not null) Error = refusal.Text;
        else shown(change!);
        await OnGetAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostUnlockAsync(string id)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null) return NotFound();
        // 解锁 lifts locks after failed sign-ins; a disabled account stays disabled (启用 does that).
        if (!AccountAdmin.IsDisabled(user)) await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        var addresses = await guard.UnlockAsync(user);
        audit.Record("account.unlock", "user", user.UserName!, null, new { addresses });
        await audit.SaveAsync();
        await OnGetAsync();
        return Page();
    }

    public bool IsLocked(AppUser u) => !AccountAdmin.IsDisabled(u) && u.LockoutEnd is { } end && end > clock.GetUtcNow();

    public bool IsSelf(AppUser u) => u.Id == User.FindFirstValue(ClaimTypes.NameIdentifier);
}
