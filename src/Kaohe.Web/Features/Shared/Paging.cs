using System.Linq.Expressions;
using System.Net;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Features.Shared;

/// <summary>
/// What a list page was asked for (issue 18: every list pages, sorts and filters on the server): the page (1-based),
/// its size and the sort key (<c>name</c> ascending, <c>-name</c> descending), from the query string's <c>page</c>,
/// <c>size</c> and <c>sort</c>. A page with two lists gives the second a <see cref="Prefix"/> (<c>u-page</c>…).
/// Filters are each page's own query parameters; the pager's links keep them.
/// </summary>
public sealed record PageQuery(int Page, int Size, string? Sort, bool Descending, string Prefix = "")
{
    public const int DefaultSize = 50;
    public const int MaxSize = 200;

    /// <summary>The sizes the pager offers.</summary>
    public static readonly int[] Sizes = [20, 50, 100, 200];

    /// <summary>A page number or size that is not a positive number is read as the first page and the default size; a size above <see cref="MaxSize"/> as the largest: a hand-edited address still shows a page.</summary>
    public static PageQuery From(HttpRequest request, string prefix = "", int defaultSize = DefaultSize)
    {
        var q = request.Query;
        var page = int.TryParse(q[prefix + "page"], out var p) && p > 0 ? p : 1;
        var size = int.TryParse(q[prefix + "size"], out var s) && s > 0 ? Math.Min(s, MaxSize) : defaultSize;
        var sort = q[prefix + "sort"].ToString().Trim();
        var descending = sort.StartsWith('-');
        return new(page, size, descending ? sort[1..] : sort.Length == 0 ? null : sort, descending, prefix);
    }
}

/// <summary>Where a list is: the page shown, its size, every row the filters let through, and the sort that ordered them.</summary>
public sealed record PagerState(int Page, int Size, int Total, string Sort, bool Descending, string Prefix)
{
    public int Pages => Math.Max(1, (Total + Size - 1) / Size);
}

public sealed record Paged<T>(IReadOnlyList<T> Items, PagerState Pager);

/// <summary>
/// The sort keys a list offers, each an expression EF translates (so the database sorts before it skips), and the
/// tie-breaker that makes the order total: without it two rows with the same key could swap between page 1 and page 2.
/// An unknown key is read as the default, as a hand-edited address should still show the list.
/// </summary>
public sealed class Sorts<T>
{
    private readonly Dictionary<string, Func<IQueryable<T>, bool, IOrderedQueryable<T>>> _keys = new(StringComparer.OrdinalIgnoreCase);
    private readonly Func<IOrderedQueryable<T>, IOrderedQueryable<T>> _tie;
    private readonly string _default;
    private readonly bool _defaultDescending;

    public Sorts<T> Add<TKey>(string key, Expression<Func<T, TKey>> by)
    {
        _keys[key] = (q, descending) => descending ? q.OrderByDescending(by) : q.OrderBy(by);
        return this;
    }

    public Sorts<T> Add<TKey1, TKey2>(string key, Expression<Func<T, TKey1>> by, Expression<Func<T, TKey2>> then)
    {
        _keys[key] = (q, descending) => descending ? q.OrderByDescending(by).ThenByDescending(then) : q.OrderBy(by).ThenBy(then);
        return this;
    }

    private Sorts(string defaultKey, bool defaultDescending, Func<IOrderedQueryable<T>, IOrderedQueryable<T>> tie) =>
        (_default, _defaultDescending, _tie) = (defaultKey, defaultDescending, tie);

    /// <param name="defaultKey">The key used when the address names none (or an unknown one); "-key" for descending.</param>
    /// <param name="tie">A unique key of the row (its id), applied after every sort.</param>
    public static Sorts<T> By<TTie>(string defaultKey, Expression<Func<T, TTie>> tie) =>
        new(defaultKey.TrimStart('-'), defaultKey.StartsWith('-'), o => o.ThenBy(tie));

    public (IOrderedQueryable<T> Sorted, string Key, bool Descending) Apply(IQueryable<T> source, PageQuery query)
    {
        var (key, descending) = query.Sort is { } k && _keys.ContainsKey(k) ? (k.ToLowerInvariant(), query.Descending) : (_default, _defaultDescending);
        return (_tie(_keys[key](source, descending)), key, descending);
    }
}

public static class Paging
{
    /// <summary>Counts what the filters let through, sorts and reads one page, all in the database (Skip/Take after the filters and the sort).</summary>
    public static async Task<Paged<T>> PageAsync<T>(this IQueryable<T> source, PageQuery query, Sorts<T> sorts, CancellationToken ct = default)
    {
        var total = await source.CountAsync(ct);
        var (sorted, key, descending) = sorts.Apply(source, query);
        var state = new PagerState(0, query.Size, total, key, descending, query.Prefix);
        state = state with { Page = Math.Clamp(query.Page, 1, state.Pages) };
        var items = await sorted.Skip((state.Page - 1) * state.Size).Take(state.Size).ToListAsync(ct);
        return new(items, state);
    }

    /// <summary>
    /// The same for rows the page has to compute first (the survey tallies from the live counts): filtered, sorted
    /// and cut in memory, with the same keys, so the pager, the links and the sort headers behave alike.
    /// </summary>
    public static Paged<T> Page<T>(this IEnumerable<T> rows, PageQuery query, Sorts<T> sorts)
    {
        var all = rows as IReadOnlyCollection<T> ?? [.. rows];
        var (sorted, key, descending) = sorts.Apply(all.AsQueryable(), query);
        var state = new PagerState(0, query.Size, all.Count, key, descending, query.Prefix);
        state = state with { Page = Math.Clamp(query.Page, 1, state.Pages) };
        return new([.. sorted.Skip((state.Page - 1) * state.Size).Take(state.Size)], state);
    }

    /// <summary>
    /// The current address with some parameters replaced (null removes one): every filter stays. A form handler's name
    /// does not (the list shown after a POST links to plain GETs of the list).
    /// </summary>
    public static string Link(HttpRequest request, params (string Key, string? Value)[] changes)
    {
        var query = new QueryBuilder();
        foreach (var (key, values) in request.Query)
        {
            if (key.Equals("handler", StringComparison.OrdinalIgnoreCase) || changes.Any(c => string.Equals(c.Key, key, StringComparison.OrdinalIgnoreCase))) continue;
            foreach (var v in values) if (!string.IsNullOrEmpty(v)) query.Add(key, v);
        }
        foreach (var (key, value) in changes) if (value is not null) query.Add(key, value);
        return request.Path + query.ToQueryString().ToString();
    }

    public static string PageLink(HttpRequest request, PagerState pager, int page) =>
        Link(request, (pager.Prefix + "page", page == 1 ? null : page.ToString()));

    /// <summary>
    /// A column header that sorts the list by <paramref name="key"/>: ascending first, descending when it is already
    /// ascending; back to page 1, filters kept. The current sort shows an arrow and aria-sort.
    /// </summary>
    public static IHtmlContent SortHeader(HttpRequest request, PagerState pager, string key, string label, string? cssClass = null)
    {
        var current = string.Equals(pager.Sort, key, StringComparison.OrdinalIgnoreCase);
        var next = current && !pager.Descending ? "-" + key : key;
        var href = Link(request, (pager.Prefix + "sort", next), (pager.Prefix + "page", null));
        var aria = current ? $" aria-sort=\"{(pager.Descending ? "descending" : "ascending")}\"" : "";
        var arrow = current ? (pager.Descending ? " ▼" : " ▲") : "";
        var css = cssClass is null ? "" : $" class=\"{WebUtility.HtmlEncode(cssClass)}\"";
        return new HtmlString($"<th{css}{aria}><a class=\"sort\" href=\"{WebUtility.HtmlEncode(href)}\">{WebUtility.HtmlEncode(label)}{arrow}</a></th>");
    }

    /// <summary>Hidden inputs for a filter form: a new filter keeps the sort and the size, and starts again at page 1.</summary>
    public static IHtmlContent KeepSortAndSize(HttpRequest request, PagerState pager)
    {
        var html = new System.Text.StringBuilder();
        foreach (var name in new[] { pager.Prefix + "sort", pager.Prefix + "size" })
            if (request.Query[name].ToString() is { Length: > 0 } v)
                html.Append($"<input type=\"hidden\" name=\"{WebUtility.HtmlEncode(name)}\" value=\"{WebUtility.HtmlEncode(v)}\" />");
        return new HtmlString(html.ToString());
    }
}
