using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Microsoft.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Kaohe.Web.Tests.Infrastructure;

/// <summary>
/// A real OpenID Connect provider (OpenIddict) in Kestrel on a loopback port, standing in for the
/// province's 统一身份认证: discovery, an authorization endpoint with its own sign-in (GET
/// <c>/login?user=NAME</c> sets the provider's cookie, as a person typing their name would), a token
/// endpoint with PKCE, and signed ID tokens carrying <c>preferred_username</c>. Its store is EF Core on
/// a SQLite file of its own.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string ClientId = "kaohe";
    public const string ClientSecret = "kaohe-test-client-secret";
    private const string ProviderCookie = "idp";

    private readonly WebApplication _app;
    private readonly string _dbPath;

    private TestIdentityProvider(WebApplication app, string dbPath, Uri address)
    {
        _app = app;
        _dbPath = dbPath;
        Address = address;
    }

    public Uri Address { get; }

    /// <param name="redirectUri">The relying party's callback (the application's <c>/signin-oidc</c>).</param>
    public static async Task<TestIdentityProvider> StartAsync(Uri redirectUri)
    {
        var dbPath = Path.Combine(Path.GetTempPath(), "kaohe-idp-" + Guid.NewGuid().ToString("N") + ".db");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddDbContext<IdpDb>(o => o.UseSqlite($"Data Source={dbPath}").UseOpenIddict());
        builder.Services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<IdpDb>())
            .AddServer(o =>
            {
                o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                o.RegisterScopes(Scopes.OpenId, Scopes.Profile);
                o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableTokenEndpointPassthrough().DisableTransportSecurityRequirement();
            });
        builder.Services.AddAuthentication().AddCookie(ProviderCookie, o => o.LoginPath = "/login");
        builder.Services.AddAuthorization();
        var app = builder.Build();

        app.MapGet("/login", async (HttpContext ctx, string user, string returnUrl) =>
        {
            var id = new ClaimsIdentity(ProviderCookie, Claims.Name, Claims.Role);
            id.AddClaim(new Claim(Claims.Name, user));
            await ctx.SignInAsync(ProviderCookie, new ClaimsPrincipal(id));
            return Microsoft.AspNetCore.Http.Results.Redirect(returnUrl);
        });
        app.MapMethods("/connect/authorize", ["GET", "POST"], async (HttpContext ctx) =>
        {
            var request = ctx.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenID Connect request");
            var signedIn = await ctx.AuthenticateAsync(ProviderCookie);
            if (!signedIn.Succeeded)
                return Microsoft.AspNetCore.Http.Results.Challenge(new AuthenticationProperties { RedirectUri = ctx.Request.Path + ctx.Request.QueryString }, [ProviderCookie]);
            var name = signedIn.Principal!.FindFirst(Claims.Name)!.Value;
            var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, "sub-" + name).SetClaim(Claims.PreferredUsername, name).SetClaim(Claims.Name, name);
            identity.SetScopes(request.GetScopes());
            identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
            return Microsoft.AspNetCore.Http.Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
        app.MapPost("/connect/token", async (HttpContext ctx) =>
        {
            var code = await ctx.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            return Microsoft.AspNetCore.Http.Results.SignIn(code.Principal!, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });

        using (var scope = app.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<IdpDb>().Database.EnsureCreatedAsync();
            await scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>().CreateAsync(new OpenIddictApplicationDescriptor
            {
                ClientId = ClientId,
                ClientSecret = ClientSecret,
                ClientType = ClientTypes.Confidential,
                RedirectUris = { redirectUri },
                Permissions =
                {
                    Permissions.Endpoints.Authorization, Permissions.Endpoints.Token,
                    Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code,
                    Permissions.Prefixes.Scope + Scopes.Profile,
                },
            });
        }
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestIdentityProvider(app, dbPath, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { File.Delete(_dbPath); } catch (IOException) { }
    }

    private sealed class IdpDb(DbContextOptions<IdpDb> options) : DbContext(options);
}
