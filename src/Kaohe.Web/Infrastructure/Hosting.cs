using System.Globalization;
using Kaohe.Data;
using Microsoft.AspNetCore.Localization;
using Scalar.AspNetCore;

namespace Kaohe.Web.Infrastructure;

public static class Hosting
{
    public const string DefaultUrl = "http://localhost:5080";

    /// <summary>Port 5080 unless --urls / ASPNETCORE_URLS / Kestrel config says otherwise; --no-demo starts empty; structured logs.</summary>
    public static void AddKaoheHosting(this WebApplicationBuilder builder, string[] args)
    {
        var cfg = builder.Configuration;
        if (string.IsNullOrEmpty(cfg["urls"]) && string.IsNullOrEmpty(cfg["ASPNETCORE_URLS"]) && !cfg.GetSection("Kestrel:Endpoints").Exists())
            builder.WebHost.UseUrls(DefaultUrl);
        if (args.Contains("--no-demo")) cfg["Kaohe:Demo"] = "false";
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
            o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        });
        builder.Services.AddSingleton(TimeProvider.System);
    }

    public static IServiceCollection AddKaoheWeb(this IServiceCollection services)
    {
        // First of the startup filters, so that the survey fast lane also sees the real client address.
        services.AddTransient<IStartupFilter, ReverseProxy>();
        services.AddHttpContextAccessor();
        services.AddSingleton<OfficeTime>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            // Form binding answers 413 without an exception (the status-code page writes the problem): say why, in the user's language.
            if (ctx.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge && ctx.ProblemDetails.Detail is null)
                ctx.ProblemDetails.Detail = Ui.T("请求内容过大", "the request body is too large");
        });
        services.AddExceptionHandler<BadRequests>();
        // A body that does not bind is thrown to BadRequests, which names the JSON path, in every environment
        // (the framework does so only in Development, and otherwise answers a bare 400).
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => InputGuards.RefuseNonFiniteNumbers(o.SerializerOptions));
        // Razor would otherwise write every Chinese character as an HTML entity.
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Kaohe 考核 API";
            doc.Info.Description = "目标责任考核系统接口 / target-responsibility assessment API. Sign in with POST /api/v1/auth/token and send `Authorization: Bearer TOKEN`; platforms send `X-Api-Key`.";
            return Task.CompletedTask;
        }));
        services.AddRazorPages(o =>
        {
            // Pages live in their feature folders beside the feature's API and logic (conventions.md).
            o.RootDirectory = "/Features";
            o.Conventions.AllowAnonymousToPage("/Account/Login");
            o.Conventions.AllowAnonymousToPage("/Account/Denied");
            o.Conventions.AllowAnonymousToPage("/Error");
            o.Conventions.AddPageRoute("/Home/Index", "");
            o.Conventions.ConfigureFilter(new StagePages());
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "kaohe-af";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;   // Secure over https, also behind a known TLS proxy
            o.HeaderName = "X-CSRF-TOKEN";
        });
        services.Configure<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>(o =>
        {
            // The stage refusal's message from a form to the page it returns to (StagePages).
            o.Cookie.Name = StagePages.CookieName;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.Configure<RequestLocalizationOptions>(o =>
        {
            CultureInfo[] cultures = [new(Ui.Chinese), new(Ui.English)];
            o.DefaultRequestCulture = new RequestCulture(Ui.Chinese);
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            o.RequestCultureProviders =
            [
                new QueryStringRequestCultureProvider { QueryStringKey = "lang", UIQueryStringKey = "lang" },
                new CookieRequestCultureProvider { CookieName = Ui.CultureCookie },
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        return services;
    }

    public static void UseKaoheWeb(this WebApplication app)
    {
        // Localization first, so that errors written on the way out (401, 404 pages) are in the user's language.
        app.UseRequestLocalization();
        // A person's browser gets a page that says what to do next; the API keeps its ProblemDetails (ErrorPages).
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = ErrorPages.UnhandledAsync });
        app.UseStatusCodePages(ErrorPages.StatusCodeAsync);
        app.Use(async (ctx, next) =>
        {
            // Security headers: no inline script, no framing, no sniffing, no referrer leaks.
            var h = ctx.Response.Headers;
            h["X-Content-Type-Options"] = "nosniff";
            h["X-Frame-Options"] = "DENY";
            h["Referrer-Policy"] = "same-origin";
            // Over https (directly or through a known proxy that terminated TLS): browsers keep to https for a year.
            if (ctx.Request.IsHttps) h.StrictTransportSecurity = "max-age=31536000";
            // The inspection page's service worker lives in /js/ but serves the page /Inspections/Field.
            if (ctx.Request.Path == "/js/inspection-sw.js") h["Service-Worker-Allowed"] = "/Inspections/Field";
            if (ctx.Request.Path.StartsWithSegments(ApiExplorerPolicy.Path))
            {
                await ApiExplorerPolicy.ServeAsync(ctx, next);
                return;
            }
            h["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
            await next();
        });
        app.UseStaticFiles();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseMustChangePassword();
        app.UseAuthorization();
        app.UseCookieApiGuard();
        app.UseAntiforgery();
        app.MapGet("/healthz", async (KaoheDbContext db, CancellationToken ct) =>
        {
            bool up;
            try { up = await db.Database.CanConnectAsync(ct); }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException) { up = false; }
            return up ? Results.Text("ok") : Results.Problem(statusCode: 503, title: Ui.T("数据库无响应", "The database does not answer"));
        }).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/lang", (string? to, string? returnUrl, HttpContext ctx) =>
        {
            var culture = to == Ui.English ? Ui.English : Ui.Chinese;
            ctx.Response.Cookies.Append(Ui.CultureCookie, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true, Secure = ctx.Request.IsHttps });
            // Only local addresses: never an open redirect.
            return Results.LocalRedirect(InputGuards.LocalPathOrHome(returnUrl));
        }).AllowAnonymous().ExcludeFromDescription();
        app.MapOpenApi().AllowAnonymous();
        // No fonts from another host: the explorer's CSP allows none, and the network of a government office may not reach one.
        app.MapScalarApiReference(o => o.WithTitle("Kaohe 考核 API").DisableDefaultFonts()).AllowAnonymous();
        app.MapRazorPages();
    }
}
