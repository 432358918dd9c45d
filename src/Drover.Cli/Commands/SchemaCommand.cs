using System.CommandLine;
using Drover.Fleet.Config;

namespace Drover.Cli.Commands;

/// <summary><c>drover schema</c>.</summary>
internal static class SchemaCommand
{
    public static Command Create(CliEnv env)
    {
        var command = new Command("schema", """
            Print the JSON Schema (draft 2020-12) of the fleet file, for editors.

            Save it and point your editor at it, e.g. with the YAML language server:
              drover schema > drover.schema.json
              # yaml-language-server: $schema=drover.schema.json     (first line of drover.yaml)
            """);
        Common.SetHandler(command, env, async (_, _) =>
        {
            await env.IO.Out.WriteLineAsync(FleetSchema.Json);
            return Common.Ok;
        });
        return command;
    }
}
