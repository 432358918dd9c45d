namespace Drover.LocalCloud.Http;

/// <summary>A planned failure of the next <paramref name="Count"/> requests matching a method and a path pattern, answered with <paramref name="Status"/>, <paramref name="Code"/> and <paramref name="Message"/>.</summary>
/// <param name="Method">HTTP method, or null for any.</param>
/// <param name="Path">Path such as <c>/v1/servers/*/actions/poweron</c>; <c>*</c> matches one segment.</param>
/// <param name="Count">How many requests fail.</param>
/// <param name="Status">HTTP status.</param>
/// <param name="Code">API error code.</param>
/// <param name="Message">API error message.</param>
public sealed record RequestFault(string? Method, string Path, int Count, int Status, string Code, string? Message);

/// <summary>A planned failure of the next <see cref="Count"/> actions of a command (e.g. <c>create_image</c>).</summary>
public sealed record ActionFault(string Command, int Count, string Code, string? Message);

/// <summary>Holds injected faults; used only through the <c>/__localcloud</c> control API, never under <c>/v1</c>.</summary>
public sealed class FaultInjector
{
    private readonly Lock _lock = new();
    private readonly List<RequestFault> _requests = [];
    private readonly List<ActionFault> _actions = [];

    public void Add(RequestFault fault)
    {
        lock (_lock)
        {
            _requests.Add(fault);
        }
    }

    public void Add(ActionFault fault)
    {
        lock (_lock)
        {
            _actions.Add(fault);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _requests.Clear();
            _actions.Clear();
        }
    }

    public (IReadOnlyList<RequestFault> Requests, IReadOnlyList<ActionFault> Actions) Snapshot()
    {
        lock (_lock)
        {
            return ([.. _requests], [.. _actions]);
        }
    }

    /// <summary>Consumes and returns the first request fault matching this request, if any.</summary>
    public RequestFault? TakeRequestFault(string method, string path)
    {
        lock (_lock)
        {
            var index = _requests.FindIndex(f => (f.Method is null || string.Equals(f.Method, method, StringComparison.OrdinalIgnoreCase)) && PathMatches(f.Path, path));
            return index < 0 ? null : Consume(_requests, index, f => f with { Count = f.Count - 1 }, f => f.Count);
        }
    }

    /// <summary>Consumes and returns the first action fault for this command, if any.</summary>
    public ActionFault? TakeActionFault(string command)
    {
        lock (_lock)
        {
            var index = _actions.FindIndex(f => f.Command == command);
            return index < 0 ? null : Consume(_actions, index, f => f with { Count = f.Count - 1 }, f => f.Count);
        }
    }

    private static T Consume<T>(List<T> list, int index, Func<T, T> decrement, Func<T, int> count)
    {
        var fault = list[index];
        var left = decrement(fault);
        if (count(left) <= 0)
        {
            list.RemoveAt(index);
        }
        else
        {
            list[index] = left;
        }
        return fault;
    }

    private static bool PathMatches(string pattern, string path)
    {
        var p = pattern.Trim('/').Split('/');
        var s = path.Trim('/').Split('/');
        return p.Length == s.Length && p.Zip(s).All(x => x.First == "*" || string.Equals(x.First, x.Second, StringComparison.Ordinal));
    }
}
