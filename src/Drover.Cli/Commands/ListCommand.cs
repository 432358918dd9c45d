using System.CommandLine;
using System.Text.Json.Serialization.Metadata;
using Drover.Cli.Output;
using Drover.Hcloud;
using Drover.Hcloud.Contracts;
using Drover.Hcloud.Labels;

namespace Drover.Cli.Commands;

/// <summary>
/// The one shape of the list commands (<c>image list</c>, <c>server list</c>, <c>ssh-key list</c>): <c>-o table|json</c>
/// and <c>-l SELECTOR</c>, then the command's own filters. The selector is checked before the cloud is reached, every
/// page is fetched, and the result is printed as indented JSON in the API's wire format or as a table of the given
/// columns.
/// </summary>
internal static class ListCommand
{
    /// <param name="env">The console and the way to the cloud.</param>
    /// <param name="description">The command's help text.</param>
    /// <param name="fetch">Lists the items (all pages) with the parsed selector; the command's filters are read from the parse result.</param>
    /// <param name="columns">The table's columns, in order.</param>
    /// <param name="json">The JSON contract of the list.</param>
    /// <param name="filters">Options of this list only, shown after <c>--output</c> and <c>--selector</c>.</param>
    public static Command Create<T>(
        CliEnv env,
        string description,
        Func<HcloudClient, LabelSelector?, ParseResult, CancellationToken, IAsyncEnumerable<T>> fetch,
        IReadOnlyList<ListColumn<T>> columns,
        Func<HcloudJsonContext, JsonTypeInfo<IReadOnlyList<T>>> json,
        params Option[] filters)
    {
        var output = Common.Output();
        var selector = Common.Selector();
        var command = new Command("list", description) { output, selector };
        foreach (var filter in filters)
        {
            command.Options.Add(filter);
        }
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var labels = Common.ParseSelector(parse.GetValue(selector));
            var client = await env.Connector.ConnectAsync(parse.GetValue(Common.Context), ct);
            var items = await fetch(client, labels, parse, ct).ToListAsync(ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Json.Write<IReadOnlyList<T>>(env.IO.Out, items, json);
                return Common.Ok;
            }
            var table = new Table([.. columns.Select(c => c.Header)]);
            foreach (var item in items)
            {
                table.Add([.. columns.Select(c => c.Cell(item))]);
            }
            table.Write(env.IO.Out);
            return Common.Ok;
        });
        return command;
    }
}
