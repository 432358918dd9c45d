using System.Globalization;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;

namespace Drover.LocalCloud.Http;

/// <summary>Sorting, label selectors and pagination (with <c>meta</c> and a <c>Link</c> header) for list endpoints.</summary>
internal static class Listing
{
    public const int DefaultPerPage = 25;
    public const int MaxPerPage = 50;

    /// <summary>The <c>label_selector</c> query parameter, parsed; a bad selector is <c>invalid_input</c> with its position.</summary>
    public static LabelSelector? Selector(HttpContext context)
    {
        var text = context.Request.Query["label_selector"].ToString();
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return LabelSelector.TryParse(text, out var selector, out var error)
            ? selector
            : throw ApiException.InvalidInput("label_selector", $"{error!.Problem} (at position {error.Position + 1} of '{text}')");
    }

    public static IEnumerable<T> WhereLabels<T>(this IEnumerable<T> items, HttpContext context, Func<T, IReadOnlyDictionary<string, string>> labels)
        => Selector(context) is { } selector ? items.Where(i => selector.Matches(labels(i))) : items;

    public static IEnumerable<T> WhereEquals<T>(this IEnumerable<T> items, HttpContext context, string parameter, Func<T, string?> value)
    {
        var wanted = context.Request.Query[parameter].ToString();
        return string.IsNullOrEmpty(wanted) ? items : items.Where(i => value(i) == wanted);
    }

    public static IEnumerable<T> WhereIn<T>(this IEnumerable<T> items, HttpContext context, string parameter, Func<T, string?> value, IReadOnlyCollection<string>? allowed = null)
    {
        var wanted = context.Request.Query[parameter].Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToHashSet();
        if (wanted.Count == 0)
        {
            return items;
        }
        if (allowed is not null && wanted.FirstOrDefault(w => !allowed.Contains(w)) is { } bad)
        {
            throw ApiException.InvalidInput(parameter, $"'{bad}' is not one of {string.Join(", ", allowed)}");
        }
        return items.Where(i => value(i) is { } v && wanted.Contains(v));
    }

    /// <summary>Applies <c>sort=field[:asc|:desc]</c> (repeatable) from the allowed keys; default is by id.</summary>
    public static IEnumerable<T> Sorted<T>(this IEnumerable<T> items, HttpContext context, Func<T, long> id, IReadOnlyDictionary<string, Func<T, IComparable?>> keys)
    {
        var specs = context.Request.Query["sort"].Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToList();
        IOrderedEnumerable<T>? ordered = null;
        foreach (var spec in specs)
        {
            var parts = spec.Split(':');
            var field = parts[0];
            var direction = parts.Length > 1 ? parts[1] : "asc";
            if (parts.Length > 2 || direction is not ("asc" or "desc") || !keys.TryGetValue(field, out var key))
            {
                throw ApiException.InvalidInput("sort", $"'{spec}' is not one of {string.Join(", ", keys.Keys.SelectMany(k => new[] { k, k + ":asc", k + ":desc" }))}");
            }
            ordered = (ordered, direction) switch
            {
                (null, "asc") => items.OrderBy(key),
                (null, _) => items.OrderByDescending(key),
                (_, "asc") => ordered.ThenBy(key),
                _ => ordered.ThenByDescending(key),
            };
        }
        return ordered is null ? items.OrderBy(id) : ordered.ThenBy(id);
    }

    /// <summary>Cuts one page and describes it in <c>meta.pagination</c> and the <c>Link</c> header.</summary>
    public static (IReadOnlyList<T> Items, Meta Meta) Paginate<T>(this IEnumerable<T> items, HttpContext context)
    {
        var page = IntParameter(context, "page", 1);
        var perPage = Math.Min(IntParameter(context, "per_page", DefaultPerPage), MaxPerPage);
        var all = items.ToList();
        var lastPage = Math.Max(1, (all.Count + perPage - 1) / perPage);
        var skip = ((long)page - 1) * perPage;
        var slice = skip >= all.Count ? [] : all.Skip((int)skip).Take(perPage).ToList();
        var pagination = new Pagination
        {
            Page = page,
            PerPage = perPage,
            PreviousPage = page > 1 ? Math.Min(page - 1, lastPage) : null,
            NextPage = page < lastPage ? page + 1 : null,
            LastPage = lastPage,
            TotalEntries = all.Count,
        };
        context.Response.Headers.Link = LinkHeader(context, pagination);
        return (slice, new Meta { Pagination = pagination });
    }

    private static int IntParameter(HttpContext context, string name, int fallback)
    {
        var text = context.Request.Query[name].ToString();
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1
            ? value
            : throw ApiException.InvalidInput(name, $"'{text}' is not a positive integer");
    }

    private static string LinkHeader(HttpContext context, Pagination p)
    {
        var request = context.Request;
        string Url(int page)
        {
            var query = request.Query.Where(q => q.Key is not ("page" or "per_page"))
                .SelectMany(q => q.Value.Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? "")}"))
                .Append($"page={page}").Append($"per_page={p.PerPage}");
            return $"<{request.Scheme}://{request.Host}{request.PathBase}{request.Path}?{string.Join("&", query)}>";
        }
        var links = new List<string>();
        if (p.PreviousPage is { } prev)
        {
            links.Add($"{Url(prev)}; rel=\"prev\"");
        }
        if (p.NextPage is { } next)
        {
            links.Add($"{Url(next)}; rel=\"next\"");
        }
        if (p.LastPage is { } last)
        {
            links.Add($"{Url(last)}; rel=\"last\"");
        }
        return string.Join(", ", links);
    }
}
