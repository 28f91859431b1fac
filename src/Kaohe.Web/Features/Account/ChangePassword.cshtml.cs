using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Kaohe.Web.Features.Account;

/// <summary>修改密码: required after a one-time password (<see cref="MustChangePassword"/>), open to anyone signed in.</summary>
[NotPeriodInputs("a person's own password")]
public sealed class ChangePasswordModel(UserManager<AppUser> users, SignInManager<AppUser> signIn, AuditLog audit) : PageModel
{
    [BindProperty] public string? CurrentPassword { get; set; }
    [BindProperty] public string? NewPassword { get; set; }
    [BindProperty] public string? ConfirmPassword { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    /// <summary>Messages by field (CurrentPassword, NewPassword, ConfirmPassword).</summary>
    public Dictionary<string, string> Errors { get; } = [];
    public bool Required => MustChangePassword.Applies(User);

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrEmpty(CurrentPassword)) Errors[nameof(CurrentPassword)] = Ui.T("请填写当前密码", "Enter your current password");
        if (string.IsNullOrEmpty(NewPassword)) Errors[nameof(NewPassword)] = Ui.T("请填写新密码", "Enter a new password");
        else if (NewPassword == CurrentPassword) Errors[nameof(NewPassword)] = Ui.T("新密码不能与当前密码相同", "The new password must differ from the current one");
        else if (NewPassword != ConfirmPassword) Errors[nameof(ConfirmPassword)] = Ui.T("两次输入的新密码不一致", "The two new passwords differ");
        if (Errors.Count > 0) return Page();
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        var result = await users.ChangePasswordAsync(user, CurrentPassword!, NewPassword!);
        if (!result.Succeeded)
        {
            foreach (var e in result.Errors)
            {
                var field = e.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? nameof(CurrentPassword) : nameof(NewPassword);
                Errors[field] = Errors.TryGetValue(field, out var before) ? before + Ui.T("；", "; ") + Message(e) : Message(e);
            }
            return Page();
        }
        await MustChangePassword.ClearAsync(users, user);
        audit.Record("account.change-password", "user", user.UserName!, null, null);
        await audit.SaveAsync();
        // The same session (its row stays), now without the mark: the cookie is issued again from the account.
        var session = User.FindFirst(Claims.Session);
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, session is null ? [] : [new Claim(Claims.Session, session.Value)]);
        TempData["message"] = Ui.T("密码已修改。", "Your password is changed.");
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }

    /// <summary>Identity's password rules in the user's language (its own descriptions are English only).</summary>
    private static string Message(IdentityError e) => e.Code switch
    {
        nameof(IdentityErrorDescriber.PasswordMismatch) => Ui.T("当前密码不正确", "The current password is wrong"),
        nameof(IdentityErrorDescriber.PasswordTooShort) => Ui.T("新密码至少 10 位", "The new password needs at least 10 characters"),
        nameof(IdentityErrorDescriber.PasswordRequiresDigit) => Ui.T("新密码须包含数字", "The new password needs a digit"),
        nameof(IdentityErrorDescriber.PasswordRequiresLower) => Ui.T("新密码须包含小写字母", "The new password needs a lower-case letter"),
        nameof(IdentityErrorDescriber.PasswordRequiresUpper) => Ui.T("新密码须包含大写字母", "The new password needs an upper-case letter"),
        nameof(IdentityErrorDescriber.PasswordRequiresUniqueChars) => Ui.T("新密码的不同字符太少", "The new password has too few different characters"),
        _ => e.Description,
    };
}
