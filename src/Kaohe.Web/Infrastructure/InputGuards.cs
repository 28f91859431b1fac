using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kaohe.Web.Infrastructure;

/// <summary>
/// Guards at the edge of the API for inputs the framework cannot be told to refuse by itself: a multipart
/// body the form reader cannot parse, numbers that are not finite, and return addresses. The storable-text
/// and finite-number rule for what reaches a database is <see cref="Data.StorableValues"/>.
/// </summary>
public static class InputGuards
{
    /// <summary>
    /// Endpoints that read their form by hand (<c>HttpRequest.ReadFormAsync</c>: uploads with fields, JSON
    /// or form on one route) get the form read for them first: a body the multipart reader refuses
    /// (a quote inside a file name, a missing boundary) is a 400 problem, as it is for the endpoints that
    /// bind <c>IFormFile</c> through the framework. The form is then cached on the request, so the handler
    /// reads it again at no cost. Endpoints without a request or context parameter get no filter.
    /// </summary>
    public static TBuilder RefuseMalformedForms<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilterFactory((factory, next) =>
        {
            var readsRequest = factory.MethodInfo.GetParameters().Any(p => p.ParameterType == typeof(HttpRequest) || p.ParameterType == typeof(HttpContext));
            if (!readsRequest) return next;
            return async ctx =>
            {
                var request = ctx.HttpContext.Request;
                if (request.HasFormContentType)
                {
                    try
                    {
                        await request.ReadFormAsync(ctx.HttpContext.RequestAborted);
                    }
                    catch (InvalidDataException e)
                    {
                        return Problems.BadRequest("表单格式有误（multipart 正文无法解析，例如文件名中含有未转义的引号），未保存任何内容",
                            "the form is malformed (the multipart body cannot be parsed, e.g. a quote inside a file name); nothing was stored",
                            new Dictionary<string, string[]> { ["form"] = [e.Message] });
                    }
                }
                return await next(ctx);
            };
        });
        return builder;
    }

    /// <summary>
    /// The API's JSON: every floating-point number must be finite. "NaN", "Infinity" and 1e400 (which
    /// overflows to infinity) are refused naming their JSON path, before a handler, the database or the
    /// audit trail sees them. Numbers may still come as strings ("0.5"), as the web defaults allow.
    /// </summary>
    public static void RefuseNonFiniteNumbers(JsonSerializerOptions options)
    {
        options.Converters.Add(new FiniteDouble());
        options.Converters.Add(new FiniteSingle());
    }

    /// <summary>A number that is not finite, thrown by the API's JSON converters; the path is filled in by the serializer.</summary>
    public sealed class NotFiniteException() : JsonException("not a finite number");

    private static double ReadNumber(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        double value;
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (!reader.TryGetDouble(out value)) throw new NotFiniteException();
        }
        else if (reader.TokenType == JsonTokenType.String && options.NumberHandling.HasFlag(JsonNumberHandling.AllowReadingFromString))
        {
            if (!double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value)) throw new JsonException();
        }
        else throw new JsonException();
        return double.IsFinite(value) ? value : throw new NotFiniteException();
    }

    private sealed class FiniteDouble : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadNumber(ref reader, options);

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
    }

    private sealed class FiniteSingle : JsonConverter<float>
    {
        public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var value = (float)ReadNumber(ref reader, options);
            return float.IsFinite(value) ? value : throw new NotFiniteException();
        }

        public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
    }

    /// <summary>
    /// A path on this site to send the browser back to: starts with one slash, is not protocol-relative
    /// (<c>//host</c>, <c>/\host</c>) and holds no control characters (browsers drop a tab or a newline,
    /// so <c>/%09/evil.example</c> would become <c>//evil.example</c>). Anything else goes home.
    /// </summary>
    public static string LocalPathOrHome(string? url) =>
        url is { Length: > 0 } u && u[0] == '/' && (u.Length == 1 || (u[1] != '/' && u[1] != '\\')) && !u.Any(char.IsControl) ? u : "/";
}
