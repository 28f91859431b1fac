using Microsoft.AspNetCore.Http.HttpResults;

namespace Kaohe.Web.Infrastructure;

/// <summary>The kinds of expected failure. Each is one HTTP status, and <see cref="Problems.TitleOf"/> gives its one title.</summary>
public enum FailureKind
{
    Invalid = StatusCodes.Status400BadRequest,
    Forbidden = StatusCodes.Status403Forbidden,
    NotFound = StatusCodes.Status404NotFound,
    Conflict = StatusCodes.Status409Conflict,
    TooLarge = StatusCodes.Status413PayloadTooLarge,
    Unsupported = StatusCodes.Status415UnsupportedMediaType,
}

/// <summary>A message in both languages; shown in the user's (<see cref="Ui.T"/>).</summary>
public readonly record struct Message(string Zh, string En)
{
    public override string ToString() => Ui.T(Zh, En);

    public static implicit operator Message((string Zh, string En) m) => new(m.Zh, m.En);
}

/// <summary>
/// An expected failure, as a value: its kind, the message in Chinese and English, and the fields it is
/// about (a request field, a JSON path such as <c>$.values[3]</c>, or a sheet row such as
/// <c>scores[2].value</c>), each with its own messages. Every feature returns this one type, and it is
/// mapped once: to ProblemDetails for the API (<see cref="ToProblem"/>, the <c>errors</c> extension
/// keyed by field) and to page messages (<see cref="Messages"/>, <see cref="Texts"/>).
/// <para>
/// Naming a field: the field goes in <see cref="Fields"/> (the key of <c>errors</c>), never into the
/// message. The message is shown as written, as the ProblemDetails <c>detail</c> and on pages that show
/// <see cref="Text"/>; it names the field in words itself where it would not be understood alone
/// ("kind 须为 division 或 leader"). Pages that list by field (<see cref="Messages"/>) put the field in front.
/// </para>
/// </summary>
public sealed record Failure(FailureKind Kind, string Zh, string En, IReadOnlyDictionary<string, Message[]>? Fields = null)
{
    /// <summary>A failure about one field: the message as written (it names the field itself, if it should), and the same message under the field in <c>errors</c>.</summary>
    public Failure(FailureKind kind, string zh, string en, string field) : this(kind, zh, en, One(field, zh, en)) { }

    public int Status => (int)Kind;

    /// <summary>The one field a failure is about (a page marks its input), or null when it names none or several.</summary>
    public string? About => Fields is { Count: 1 } f ? f.Keys.First() : null;

    /// <summary>The message in the user's language.</summary>
    public string Text => Ui.T(Zh, En);

    /// <summary>
    /// When the caller chose to keep the valid rows of a sheet with errors: the rows that were saved anyway
    /// (each named for people, e.g. "拉萨市住建局 · B2 工作评价"). Null when nothing was saved.
    /// </summary>
    public IReadOnlyList<Message>? Saved { get; init; }

    public static Failure Invalid(string zh, string en, IReadOnlyDictionary<string, Message[]>? fields = null) => new(FailureKind.Invalid, zh, en, fields);

    public static Failure NotFound(string zh, string en, IReadOnlyDictionary<string, Message[]>? fields = null) => new(FailureKind.NotFound, zh, en, fields);

    public static Failure Forbidden(string zh, string en, IReadOnlyDictionary<string, Message[]>? fields = null) => new(FailureKind.Forbidden, zh, en, fields);

    public static Failure Conflict(string zh, string en, IReadOnlyDictionary<string, Message[]>? fields = null) => new(FailureKind.Conflict, zh, en, fields);

    public static Failure Invalid(string zh, string en, string field) => new(FailureKind.Invalid, zh, en, field);

    public static Failure NotFound(string zh, string en, string field) => new(FailureKind.NotFound, zh, en, field);

    public static Failure Forbidden(string zh, string en, string field) => new(FailureKind.Forbidden, zh, en, field);

    public static Failure Conflict(string zh, string en, string field) => new(FailureKind.Conflict, zh, en, field);

    /// <summary>The engine's validation errors (or a scheme's), one entry per JSON path.</summary>
    public static Failure Validation(string zh, string en, IEnumerable<Kaohe.Scoring.ValidationError> errors, FailureKind kind = FailureKind.Invalid)
    {
        var fields = errors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => new Message(e.Zh, e.En)).ToArray());
        return new(kind, zh, en, fields.Count > 0 ? fields : null);
    }

    /// <summary>
    /// For the few places that carry a status decided elsewhere (a nested service's refusal): the kind of
    /// that status; any status this type does not name is a bad request.
    /// </summary>
    public static FailureKind KindOf(int status) => Enum.IsDefined(typeof(FailureKind), status) ? (FailureKind)status : FailureKind.Invalid;

    /// <summary>The fields and their messages in the user's language (the ProblemDetails <c>errors</c>), or null.</summary>
    public IDictionary<string, string[]>? Errors =>
        Fields is { Count: > 0 } f ? f.ToDictionary(kv => kv.Key, kv => kv.Value.Select(m => m.ToString()).ToArray()) : null;

    /// <summary>For pages that list errors by path (a scheme's JSON paths): each field message, or the failure's message at the root.</summary>
    public IReadOnlyList<Kaohe.Scoring.ValidationError> Paths() =>
        Fields is { Count: > 0 } f ? [.. f.SelectMany(kv => kv.Value.Select(m => new Kaohe.Scoring.ValidationError(kv.Key, m.Zh, m.En)))] : [new("", Zh, En)];

    /// <summary>The one mapping to ProblemDetails: the status, the title of the status, the message, and the fields.</summary>
    public ProblemHttpResult ToProblem() => Problems.Problem(Status, Text, Errors);

    /// <summary>For a page: one line per field message, each with its field, or the failure's message when it names no field.</summary>
    public IEnumerable<string> Messages() =>
        Fields is { Count: > 0 } f ? f.SelectMany(kv => kv.Value.Select(m => $"{kv.Key}: {m}")) : [Text];

    /// <summary>The messages without their field paths, for sheets whose every message names its unit and indicator itself.</summary>
    public IEnumerable<string> Texts() =>
        Fields is { Count: > 0 } f ? f.SelectMany(kv => kv.Value.Select(m => m.ToString())) : [Text];

    private static Dictionary<string, Message[]> One(string field, string zh, string en) => new() { [field] = [new(zh, en)] };
}
