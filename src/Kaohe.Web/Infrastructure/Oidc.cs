using System.Security.Claims;
using Kaohe.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Kaohe.Web.Infrastructure;

/// <summary>
/// Single sign-on through the province's unified identity platform (统一身份认证), an OpenID Connect
/// provider: <c>Kaohe:Oidc:*</c>, off unless <see cref="Authority"/> and <see cref="ClientId"/> are set.
/// </summary>
public sealed class OidcOptions
{
    /// <summary>The provider's issuer address; its <c>/.well-known/openid-configuration</c> is read from there.</summary>
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }

    /// <summary>The claim whose value is a Kaohe user name (the account the office created or linked).</summary>
    public string UserClaim { get; set; } = "preferred_username";

    /// <summary>Scopes asked for besides <c>openid</c>, space-separated.</summary>
    public string Scopes { get; set; } = "profile";

    /// <summary>Also read the user-info endpoint, for a provider that leaves <see cref="UserClaim"/> out of the ID token.</summary>
    public bool UserInfo { get; set; }

    /// <summary>Only for a provider on a test network without TLS: production providers are https.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public string ButtonText { get; set; } = "统一身份认证登录";

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);
}

/// <summary>
/// The provider proves who the person is; Kaohe decides what they may do. The configured claim must name
/// an existing, enabled account (matched on its user name: AppUser has no separate link field, and
/// issue 21 allows no schema change); sign-in alone never creates one. On success the person gets the
/// same session as a password sign-in (a row in AccessTokens that sign-out deletes), so roles, units,
/// sign-out and the office's 全部注销 work alike. Password sign-in stays, for the office's break-glass
/// account (docs/deploy.md, "Single sign-on").
/// </summary>
public static class Oidc
{
    public const string Scheme = "oidc";
    public const string StartPath = "/Account/Sso";

    /// <summary>How a session signed in (the "amr" claim of OpenID Connect): "sso" for one started by the provider.</summary>
    public const string MethodClaim = "amr", Method = "sso";

    /// <summary>Why a single sign-on was refused: the sign-in page's <c>sso</c> query value.</summary>
    public const string Unmatched = "unmatched", Disabled = "disabled", Failed = "failed";

    public static IServiceCollection AddKaoheOidc(this IServiceCollection services, IConfiguration config)
    {
        var section = config.GetSection("Kaohe:Oidc");
        services.Configure<OidcOptions>(section);
        var options = section.Get<OidcOptions>() ?? new OidcOptions();
        if (!options.Enabled) return services;
        services.AddAuthentication().AddOpenIdConnect(Scheme, options.ButtonText, o =>
        {
            o.Authority = options.Authority;
            o.ClientId = options.ClientId;
            o.ClientSecret = options.ClientSecret;
            o.RequireHttpsMetadata = options.RequireHttpsMetadata;
            o.ResponseType = "code";
            o.UsePkce = true;
            // The code comes back in a top-level GET, so the correlation and nonce cookies can be SameSite=Lax
            // (form_post would need SameSite=None, which browsers refuse without https) and Secure over https only.
            o.ResponseMode = "query";
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.MapInboundClaims = false;
            o.GetClaimsFromUserInfoEndpoint = options.UserInfo;
            o.SaveTokens = false;
            o.Scope.Clear();
            o.Scope.Add("openid");
            foreach (var s in options.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries)) o.Scope.Add(s);
            o.SignInScheme = IdentityConstants.ExternalScheme;
            o.Events.OnTicketReceived = SignInAsync;
            o.Events.OnRemoteFailure = ctx =>
            {
                ctx.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Kaohe.Oidc")
                    .LogWarning(ctx.Failure, "Single sign-on failed");
                ctx.HandleResponse();
                ctx.Response.Redirect($"/Account/Login?sso={Failed}");
                return Task.CompletedTask;
            };
        });
        return services;
    }

    /// <summary>The sign-in page's button starts here: a challenge to the provider, back to a local address only.</summary>
    public static void MapKaoheOidc(this WebApplication app)
    {
        app.MapGet(StartPath, (string? returnUrl, IOptions<OidcOptions> options) => options.Value.Enabled
                ? Results.Challenge(new AuthenticationProperties { RedirectUri = InputGuards.LocalPathOrHome(returnUrl) }, [Scheme])
                : Results.NotFound())
            .AllowAnonymous().ExcludeFromDescription();
    }

    /// <summary>The provider vouched for the person: find their account and start a Kaohe session, or refuse.</summary>
    private static async Task SignInAsync(TicketReceivedContext ctx)
    {
        ctx.HandleResponse();
        var sp = ctx.HttpContext.RequestServices;
        var options = sp.GetRequiredService<IOptions<OidcOptions>>().Value;
        var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Kaohe.Oidc");
        var name = ctx.Principal?.FindFirstValue(options.UserClaim);
        var user = string.IsNullOrWhiteSpace(name) ? null : await sp.GetRequiredService<UserManager<AppUser>>().FindByNameAsync(name);
        var now = sp.GetRequiredService<TimeProvider>().GetUtcNow();
        if (user is null || (user.LockoutEnd is { } end && end > now))
        {
            // The name goes to the log for the office, not into the page's address.
            log.LogWarning("Single sign-on refused: claim {Claim}={Name} names {What}", options.UserClaim, name, user is null ? "no account" : "a disabled account");
            ctx.Response.Redirect($"/Account/Login?sso={(user is null ? Unmatched : Disabled)}");
            return;
        }
        var guard = sp.GetRequiredService<SignInGuard>();
        var (_, session) = await guard.StartAsync(user, AccessToken.Cookie, ctx.HttpContext.RequestAborted);
        await sp.GetRequiredService<SignInManager<AppUser>>().SignInWithClaimsAsync(user, isPersistent: false,
            [new Claim(Claims.Session, session.TokenHash), new Claim(MethodClaim, Method)]);
        log.LogInformation("Single sign-on of {User}", user.UserName);
        // The sign-in cookie is SameSite=Strict: a redirect in this chain (which began at the provider) would go
        // without it, so the page moves on by itself, a navigation that starts on Kaohe's own site.
        var target = System.Net.WebUtility.HtmlEncode(InputGuards.LocalPathOrHome(ctx.ReturnUri));
        ctx.Response.ContentType = "text/html; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-store";
        await ctx.Response.WriteAsync($"<!doctype html><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url={target}\"><title>登录成功</title><a href=\"{target}\">继续 / continue</a>");
    }

    /// <summary>The sign-in page's message for a refused single sign-on.</summary>
    public static string? Message(string? code) => code switch
    {
        Unmatched => Ui.T("您的统一身份认证账号没有对应的本系统账号，无法登录。请联系考核办开通或关联账号。",
            "Your unified identity account has no matching account here: ask the assessment office to create or link one."),
        Disabled => Ui.T("与您的统一身份认证账号对应的本系统账号已停用，无法登录。请联系考核办。",
            "The account matching your unified identity account is disabled: ask the assessment office."),
        Failed => Ui.T("统一身份认证登录未完成，请重试；如仍失败，请联系考核办。",
            "The unified identity sign-in did not complete: try again, or ask the assessment office."),
        _ => null,
    };
}
