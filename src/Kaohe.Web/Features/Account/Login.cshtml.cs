using System.Security.Claims;
using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Kaohe.Web.Features.Account;

[NotPeriodInputs("sign-in")]
[EnableRateLimiting(Auth.LoginRateLimit)]
public sealed class LoginModel(SignInManager<AppUser> signIn, SignInGuard guard, Microsoft.Extensions.Options.IOptions<OidcOptions> oidc) : PageModel
{
    /// <summary>Why a single sign-on came back refused (<see cref="Oidc.Message"/>).</summary>
    [BindProperty(SupportsGet = true)] public string? Sso { get; set; }
    public OidcOptions Oidc => oidc.Value;
    [BindProperty] public string? Username { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    public string? Error { get; private set; }

    public void OnGet() => Error = Infrastructure.Oidc.Message(Sso);

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Username) || string.IsNullOrEmpty(Password))
        {
            Error = Ui.T("请填写用户名和密码。", "Enter your user name and password.");
            return Page();
        }
        var outcome = await guard.CheckAsync(Username, Password, HttpContext.Connection.RemoteIpAddress, HttpContext.RequestAborted);
        if (outcome is { Verdict: SignInVerdict.Ok, User: { } user })
        {
            // The cookie carries the hash of a session row: deleting the row (sign-out, the office) ends the sign-in everywhere.
            var (_, session) = await guard.StartAsync(user, AccessToken.Cookie, HttpContext.RequestAborted);
            await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new Claim(Claims.Session, session.TokenHash)]);
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
        }
        Error = outcome.Verdict switch
        {
            SignInVerdict.Locked => Ui.T("此账号从本机多次登录失败，已暂停 15 分钟，请稍后再试或联系考核办。",
                "Too many failed sign-ins to this account from here: try again in 15 minutes, or ask the office."),
            SignInVerdict.TooMany => Ui.T("此账号登录尝试过于频繁，请稍候一分钟再试。", "Too many sign-in attempts for this account: wait a minute and try again."),
            _ => Ui.T("用户名或密码错误。", "Wrong user name or password."),
        };
        return Page();
    }
}
