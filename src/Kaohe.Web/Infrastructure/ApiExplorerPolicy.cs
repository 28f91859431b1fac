using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Kaohe.Web.Infrastructure;

/// <summary>
/// The API explorer (<c>/scalar/</c>) with a Content-Security-Policy of its own (issue 17: it was served
/// without one). Its page holds one inline module script, written by Scalar.AspNetCore, that starts the
/// bundled explorer: the page is buffered (about 600 bytes) and every inline script is allowed by its
/// SHA-256, so no inline script an attacker could add would run. Scalar sets its styles at run time,
/// hence <c>style-src 'unsafe-inline'</c> here and only here; it loads nothing from other hosts (the
/// default fonts are off), and the page, like every other, may not be framed.
/// </summary>
public static partial class ApiExplorerPolicy
{
    public const string Path = "/scalar";

    private const string Base = "default-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; " +
                                "worker-src 'self' blob:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    public static async Task ServeAsync(HttpContext ctx, Func<Task> next)
    {
        // The bundle (5 MB of JavaScript) and the other files pass through; only the page is buffered.
        if (System.IO.Path.HasExtension(ctx.Request.Path.Value))
        {
            ctx.Response.Headers.ContentSecurityPolicy = $"{Base}; script-src 'self'";
            await next();
            return;
        }
        var original = ctx.Response.Body;
        using var buffer = new MemoryStream();
        ctx.Response.Body = buffer;
        try
        {
            await next();
        }
        finally
        {
            ctx.Response.Body = original;
        }
        var hashes = "";
        if (ctx.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
        {
            var html = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            hashes = string.Concat(InlineScript().Matches(html).Select(m => $" 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(m.Groups[1].Value)))}'"));
        }
        ctx.Response.Headers.ContentSecurityPolicy = $"{Base}; script-src 'self'{hashes}";
        ctx.Response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(original, ctx.RequestAborted);
    }

    /// <summary>A script element without a src: its text is what the hash covers, exactly as the browser reads it.</summary>
    [GeneratedRegex("<script(?![^>]*\\ssrc=)[^>]*>(.*?)</script>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();
}
