using Kaohe.Web.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Kaohe.Web.Features.Account;

[NotPeriodInputs("sign-in")]
[EnableRateLimiting(Auth.LoginRateLimit)]
public sealed class LoginModel(SignInManager<AppUser> signIn) : PageModel
{
    [BindProperty] public string? Username { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string? Error { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Username) || string.IsNullOrEmpty(Password))
        {
            Error = Ui.T("请填写用户名和密码。", "Enter your user name and password.");
            return Page();
        }
        var result = await signIn.PasswordSignInAsync(Username.Trim(), Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
        Error = result.IsLockedOut
            ? Ui.T("多次登录失败，账号已暂时锁定，请 15 分钟后再试。", "Too many failed sign-ins: the account is locked for 15 minutes.")
            : Ui.T("用户名或密码错误。", "Wrong user name or password.");
        return Page();
    }
}
