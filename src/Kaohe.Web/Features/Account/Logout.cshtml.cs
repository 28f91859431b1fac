using Kaohe.Data;
using Kaohe.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Kaohe.Web.Features.Account;

[NotPeriodInputs("sign-out")]
public sealed class LogoutModel(SignInManager<AppUser> signIn, SignInGuard guard) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    /// <summary>Ends the session on the server first: a copy of the cookie stops working too (issue 17).</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        await guard.EndAsync(User, HttpContext.RequestAborted);
        await signIn.SignOutAsync();
        return Redirect("/Account/Login");
    }
}
