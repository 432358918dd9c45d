using System.CommandLine;
using System.Globalization;
using Drover.Cli.Output;
using Drover.Images.Catalog;

namespace Drover.Cli.Commands;

/// <summary><c>drover cleanup</c>: delete Drover's leftover temporary servers and SSH keys (never snapshots).</summary>
internal static class CleanupCommand
{
    public static Command Create(CliEnv env)
    {
        var run = new Option<string?>("--run") { Description = "Only this run's resources, whatever their age (the ID is in drover/run and in error messages)" };
        var olderThan = new Option<string>("--older-than")
        {
            Description = "Without --run: resources of runs this machine does not know are taken only once older than this (younger runs elsewhere may still be working); runs of this machine that were killed go at once, live ones never",
            DefaultValueFactory = _ => "1h",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only show what would be deleted" };
        var output = Common.Output();
        var command = new Command("cleanup", "Delete temporary servers and SSH keys that Drover runs left behind (labelled drover/created-by and drover/run)")
        { run, olderThan, dryRun, output };
        Common.SetHandler(command, env, async (parse, ct) =>
        {
            var age = Parsing.Duration("--older-than", parse.GetValue(olderThan)!);
            var (client, runs) = await env.Connector.ConnectWithRunsAsync(parse.GetValue(Common.Context), ct);
            var items = await new TemporaryResourceCleaner(client, env.Logging.CreateLogger("cleanup"), ledger: runs).CleanupAsync(parse.GetValue(run), age, parse.GetValue(dryRun), ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                env.IO.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(items, CleanupJson.Default.IReadOnlyListCleanupItem));
                return Common.Ok;
            }
            var table = new Table("KIND", "ID", "NAME", "RUN", "CREATED", "DELETED", "WHY");
            foreach (var i in items)
            {
                table.Add(i.Kind, i.Id.ToString(CultureInfo.InvariantCulture), i.Name, i.Run, i.Created.ToString("u", CultureInfo.InvariantCulture), i.Deleted ? "yes" : "no (dry run)", i.Why);
            }
            table.Write(env.IO.Out);
            return Common.Ok;
        });
        return command;
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<CleanupItem>))]
internal sealed partial class CleanupJson : System.Text.Json.Serialization.JsonSerializerContext;
