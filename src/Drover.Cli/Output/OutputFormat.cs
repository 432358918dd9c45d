namespace Drover.Cli.Output;

/// <summary>How a command prints its result on stdout.</summary>
public enum OutputFormat
{
    /// <summary>Aligned columns for people.</summary>
    Table,

    /// <summary>Indented JSON in the API's wire format, for scripts.</summary>
    Json,
}
