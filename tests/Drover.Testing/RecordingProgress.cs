namespace Drover.Testing;

/// <summary>
/// An <see cref="IProgress{T}"/> that records every report synchronously (unlike <see cref="Progress{T}"/>, which
/// posts to the thread pool), optionally running <paramref name="onReport"/> for each.
/// </summary>
public sealed class RecordingProgress<T>(Action<T>? onReport = null) : IProgress<T>
{
    private readonly Lock _gate = new();
    private readonly List<T> _reports = [];

    /// <summary>Every report so far, in order.</summary>
    public IReadOnlyList<T> Reports
    {
        get
        {
            lock (_gate)
            {
                return [.. _reports];
            }
        }
    }

    public void Report(T value)
    {
        lock (_gate)
        {
            _reports.Add(value);
        }
        onReport?.Invoke(value);
    }
}
