using Kaohe.Web.Infrastructure;

namespace Kaohe.Web.Features.Collection;

/// <summary>An expected failure of a collection workflow: mapped once to ProblemDetails (API) or to page messages.</summary>
public sealed record CollectionError(int Status, string Zh, string En, IReadOnlyDictionary<string, (string Zh, string En)[]>? Errors = null)
{
    /// <summary>
    /// When the caller chose to keep the valid rows of a sheet with errors: the rows that were saved
    /// anyway (each named for people, e.g. "拉萨市住建局 · B2 工作评价"). Null when nothing was saved.
    /// </summary>
    public IReadOnlyList<(string Zh, string En)>? Saved { get; init; }

    public static CollectionError BadRequest(string zh, string en, IReadOnlyDictionary<string, (string, string)[]>? errors = null) => new(400, zh, en, errors);
    public static CollectionError Field(string field, string zh, string en) =>
        new(400, $"{field}: {zh}", $"{field}: {en}", new Dictionary<string, (string, string)[]> { [field] = [(zh, en)] });
    public static CollectionError NotFound(string zh, string en) => new(404, zh, en);
    public static CollectionError Forbidden(string zh, string en, IReadOnlyDictionary<string, (string, string)[]>? errors = null) => new(403, zh, en, errors);
    public static CollectionError Conflict(string zh, string en) => new(409, zh, en);

    public IResult ToProblem() => Problems.Problem(Status, Ui.T(Zh, En),
        Errors?.ToDictionary(kv => kv.Key, kv => kv.Value.Select(e => Ui.T(e.Zh, e.En)).ToArray()));

    public IEnumerable<string> Messages() =>
        Errors is { Count: > 0 } ? Errors.SelectMany(kv => kv.Value.Select(e => $"{kv.Key}: {Ui.T(e.Zh, e.En)}")) : [Ui.T(Zh, En)];

    /// <summary>The messages without their field paths, for sheets whose every message names its unit and indicator itself.</summary>
    public IEnumerable<string> Texts() =>
        Errors is { Count: > 0 } ? Errors.SelectMany(kv => kv.Value.Select(e => Ui.T(e.Zh, e.En))) : [Ui.T(Zh, En)];
}
