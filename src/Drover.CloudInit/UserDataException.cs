namespace Drover.CloudInit;

/// <summary>
/// User-data could not be rendered: a bad template (with its <c>source:line:column</c>), a missing value,
/// an unknown part type or a result over the size limit.
/// </summary>
public sealed class UserDataException : Drover.Core.DroverException
{
    public UserDataException(string message)
        : base(message)
    {
    }

    public UserDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UserDataException(string? sourceName, int? line, int? column, string message, Exception? innerException = null)
        : base(Prefix(sourceName, line, column) + message, innerException)
    {
        SourceName = sourceName;
        Line = line;
        Column = column;
    }

    /// <summary>The template the error is in, when it is in one.</summary>
    public string? SourceName { get; }

    /// <summary>1-based line, when known.</summary>
    public int? Line { get; }

    /// <summary>1-based column, when known.</summary>
    public int? Column { get; }

    private static string Prefix(string? sourceName, int? line, int? column)
    {
        if (sourceName is null)
        {
            return "";
        }

        return (line, column) switch
        {
            (int l, int c) => $"{sourceName}:{l}:{c}: ",
            (int l, null) => $"{sourceName}:{l}: ",
            _ => $"{sourceName}: ",
        };
    }
}
