namespace Drover.Cli.Commands;

/// <summary>A column of a list command's table: its header, and the cell of one item (empty or null prints as "-").</summary>
internal sealed record ListColumn<T>(string Header, Func<T, string?> Cell);
