using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Threading.RateLimiting;
using Kaohe.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kaohe.Web.Infrastructure;

public static class Claims
{
    public const string Unit = "kaohe:unit";
    public const string Rater = "kaohe:rater";
    public const string ApiKeyIndicators = "kaohe:indicators";

    /// <summary>The SHA-256 of the session's secret: the row in AccessTokens that keeps a cookie or bearer token alive.</summary>
    public const string Session = "kaohe:session";

    public static string? UnitId(this ClaimsPrincipal user) => user.FindFirstValue(Unit);

    public static string Role(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Role) ?? "";

    public static bool IsOffice(this ClaimsPrincipal user) => user.IsInRole(Roles.Office);
}

public static class Policies
{
    public const string Office = "office";
    public const string Staff = "staff";            // anyone signed in with a person's account
    public const string Platform = "platform";
    public const string Api = "api";
}

public static class Auth
{
    public const string TokenScheme = "Token";
    public const string SmartScheme = "Smart";
    public const string LoginRateLimit = "login";

    public static IServiceCollection AddKaoheAuth(this IServiceCollection services, IConfiguration config)
    {
        var loginPermits = config.GetValue("Kaohe:LoginAttemptsPerMinute", 10);
        services.Configure<SignInOptions>(config.GetSection("Kaohe:SignIn"));
        services.AddScoped<SignInGuard>();
        services.AddSingleton<SignInLimits>();
        var sessionHours = config.GetValue("Kaohe:SignIn:SessionHours", new SignInOptions().SessionHours);
        // Failed sign-ins lock a (name, address) pair in SignInGuard, never the account: Identity's own
        // lockout would let five guesses from anywhere lock the office out (issue 17).
        services.AddIdentity<AppUser, IdentityRole>(o =>
            {
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.AllowedForNewUsers = false;
                o.User.RequireUniqueEmail = false;
            })
            .AddEntityFrameworkStores<KaoheDbContext>()
            .AddDefaultTokenProviders()
            .AddClaimsPrincipalFactory<KaoheClaimsFactory>();

        services.AddDataProtection().SetApplicationName("Kaohe").PersistKeysToDbContext<KaoheDbContext>();
        // Identity's security-stamp check rebuilds the principal now and then (every 30 minutes): the session's claim goes with it,
        // or the sign-in would end at the first rebuild (ValidateSessionAsync finds no session).
        services.Configure<SecurityStampValidatorOptions>(o => o.OnRefreshingPrincipal = ctx =>
        {
            if (ctx.CurrentPrincipal?.FindFirst(Claims.Session) is { } session && ctx.NewPrincipal?.Identity is ClaimsIdentity id && !id.HasClaim(c => c.Type == Claims.Session))
                id.AddClaim(new Claim(Claims.Session, session.Value));
            // A single sign-on session stays one when the principal is refreshed (it is not asked for the one-time password).
            if (ctx.CurrentPrincipal?.HasClaim(Oidc.MethodClaim, Oidc.Method) == true && ctx.NewPrincipal?.Identity is ClaimsIdentity sso && !sso.HasClaim(Oidc.MethodClaim, Oidc.Method))
                sso.AddClaim(new Claim(Oidc.MethodClaim, Oidc.Method));
            return Task.CompletedTask;
        });

        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/Account/Login";
            o.LogoutPath = "/Account/Logout";
            o.AccessDeniedPath = "/Account/Denied";
            o.Cookie.Name = "kaohe";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            // Secure whenever the request is https, also behind a proxy that terminates TLS (ForwardedHeaders: Kaohe:KnownProxies).
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // A sign-in lasts SessionHours at most, or until its session row is deleted (sign-out, the office).
            o.ExpireTimeSpan = TimeSpan.FromHours(sessionHours);
            o.SlidingExpiration = false;
            // The API answers 401/403 with ProblemDetails; pages redirect to the sign-in page.
            o.Events.OnRedirectToLogin = ctx => ApiOrRedirect(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => ApiOrRedirect(ctx, StatusCodes.Status403Forbidden);
            o.Events.OnValidatePrincipal = ValidateSessionAsync;
        });

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = SmartScheme;
                o.DefaultChallengeScheme = SmartScheme;
                o.DefaultAuthenticateScheme = SmartScheme;
            })
            .AddPolicyScheme(SmartScheme, "cookie or token", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || ctx.Request.Headers.ContainsKey(TokenHandler.ApiKeyHeader)
                    ? TokenScheme
                    : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, TokenHandler>(TokenScheme, null);

        // Without an explicit policy (the fallback) or with a bare [Authorize] (the default), only a
        // person's account gets in: a platform's API key authenticates too, but may only push data
        // (found by the generated access matrix: keys could read the unit and scheme pages).
        var people = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireRole(Roles.People).Build();
        services.AddAuthorizationBuilder()
            .SetDefaultPolicy(people)
            .SetFallbackPolicy(people)
            .AddPolicy(Policies.Office, p => p.RequireRole(Roles.Office))
            .AddPolicy(Policies.Staff, p => p.RequireRole(Roles.People))
            .AddPolicy(Policies.Platform, p => p.RequireRole(Roles.Platform));

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (ctx, ct) => TooManyRequests(ctx.HttpContext, ct);
            // Attempts are what count: loading the sign-in form (a GET) is not one (issue 18: a user who reloaded
            // the form ten times could not sign in).
            o.AddPolicy(LoginRateLimit, ctx => HttpMethods.IsGet(ctx.Request.Method) || HttpMethods.IsHead(ctx.Request.Method)
                ? RateLimitPartition.GetNoLimiter("form")
                : RateLimitPartition.GetFixedWindowLimiter(
                ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = loginPermits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        return services;
    }

    /// <summary>
    /// The answer to a rate-limited request: a ProblemDetails for the API, a page for a person that says
    /// what to do next (the survey's says to scan the code again, the sign-in page's to sign in again: ErrorPages).
    /// </summary>
    private static async ValueTask TooManyRequests(HttpContext ctx, CancellationToken ct)
    {
        ctx.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        ctx.Response.Headers.RetryAfter = "60";
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: Ui.T("请求过于频繁", "Too many requests"),
                detail: Ui.T("请求过于频繁，请稍候一分钟再试。", "Too many requests: please wait a minute and try again.")).ExecuteAsync(ctx);
            return;
        }
        await ErrorPages.WriteAsync(ctx, StatusCodes.Status429TooManyRequests);
    }

    /// <summary>
    /// A sign-in cookie is good while its session row is (issue 17: a cookie copied before sign-out kept
    /// working until it expired). One indexed lookup per request, on every instance alike; then Identity's
    /// security-stamp check, which a password change trips.
    /// </summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext ctx)
    {
        var hash = ctx.Principal?.FindFirstValue(Claims.Session);
        var userId = ctx.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var db = ctx.HttpContext.RequestServices.GetRequiredService<KaoheDbContext>();
        var now = ctx.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var live = hash is not null && await db.AccessTokens.AnyAsync(t => t.TokenHash == hash && t.UserId == userId && t.Kind == AccessToken.Cookie && t.ExpiresAt > now
            && db.Users.Any(u => u.Id == t.UserId && (u.LockoutEnd == null || u.LockoutEnd <= now)));
        if (!live)
        {
            ctx.RejectPrincipal();
            await ctx.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        await SecurityStampValidator.ValidatePrincipalAsync(ctx);
    }

    private static Task ApiOrRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = status;
            return Results.Problem(statusCode: status,
                title: Problems.TitleOf(status)).ExecuteAsync(ctx.HttpContext);
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>A random secret, URL-safe, 32 bytes of entropy.</summary>
    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>Puts the role, unit and rater of a person into their sign-in.</summary>
public sealed class KaoheClaimsFactory(UserManager<AppUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var id = await base.GenerateClaimsAsync(user);
        Add(id, user);
        return id;
    }

    public static void Add(ClaimsIdentity id, AppUser user)
    {
        id.AddClaim(new Claim(ClaimTypes.Role, user.Role));
        if (user.UnitId is not null) id.AddClaim(new Claim(Claims.Unit, user.UnitId));
        if (user.RaterId is not null) id.AddClaim(new Claim(Claims.Rater, user.RaterId));
        id.AddClaim(new Claim("kaohe:display", user.DisplayName));
    }
}

/// <summary>
/// Bearer tokens from POST /api/v1/auth/token and platform API keys (X-Api-Key). Both are stored
/// only as SHA-256 hashes in the database, so every instance behind a proxy accepts them.
/// </summary>
public sealed class TokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    KaoheDbContext db, TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string ApiKeyHeader = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var now = clock.GetUtcNow();
        if (Request.Headers.TryGetValue(ApiKeyHeader, out var key) && !string.IsNullOrWhiteSpace(key))
        {
            var hash = Auth.Hash(key.ToString());
            var apiKey = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.KeyHash == hash);
            if (apiKey is null || apiKey.RevokedAt is not null) return AuthenticateResult.Fail("invalid API key");
            var id = new ClaimsIdentity(TokenScheme.Platform, ClaimTypes.Name, ClaimTypes.Role);
            id.AddClaim(new Claim(ClaimTypes.Name, $"platform:{apiKey.Name}"));
            id.AddClaim(new Claim(ClaimTypes.Role, Roles.Platform));
            id.AddClaim(new Claim(Claims.ApiKeyIndicators, apiKey.Indicators));
            id.AddClaim(new Claim("kaohe:apikey", apiKey.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(id), Scheme.Name));
        }
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var tokenHash = Auth.Hash(header["Bearer ".Length..].Trim());
        var token = await db.AccessTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == tokenHash && t.Kind == AccessToken.Bearer);
        if (token is null || token.ExpiresAt < now) return AuthenticateResult.Fail("invalid, revoked or expired token");
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == token.UserId);
        if (user is null || (user.LockoutEnd is { } end && end > now)) return AuthenticateResult.Fail("account unavailable");
        var identity = new ClaimsIdentity(TokenScheme.Bearer, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, user.Id));
        identity.AddClaim(new Claim(ClaimTypes.Name, user.UserName ?? ""));
        identity.AddClaim(new Claim(Claims.Session, tokenHash));
        KaoheClaimsFactory.Add(identity, user);
        if (await db.UserClaims.AsNoTracking().AnyAsync(c => c.UserId == user.Id && c.ClaimType == MustChangePassword.ClaimType))
            identity.AddClaim(new Claim(MustChangePassword.ClaimType, "1"));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        await Results.Problem(statusCode: 401, title: Ui.T("需要登录", "Sign-in required"),
            detail: Ui.T("令牌无效或已过期", "The token is invalid or expired")).ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Results.Problem(statusCode: 403, title: Problems.TitleOf(403)).ExecuteAsync(Context);
    }

    private static class TokenScheme
    {
        public const string Platform = "ApiKey";
        public const string Bearer = "Bearer";
    }
}
