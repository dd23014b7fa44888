using System.CommandLine;
using PharmacyRx.Host.Export;
using PharmacyRx.Host.Receiving;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>export --format csv|xlsx|sqlite --sort prescriber|patient|drug|date-filled [--from D --to D] [--schedule S]
/// [--prescriber P] [--patient P] [--drug D] --out FILE</c>: the inspector's export (1304.04(h)(5), 1311.205(b)(12)),
/// one row per dispensing and one per prescription never dispensed. Audited with the filter and the row count.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var format = new Option<string>("--format") { Description = "csv, xlsx or sqlite", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "xlsx", "sqlite");
        var sort = new Option<string>("--sort") { Description = "prescriber, patient, drug or date-filled", DefaultValueFactory = _ => "date-filled" };
        sort.AcceptOnlyFromAmong("prescriber", "patient", "drug", "date-filled");
        var from = new Option<string?>("--from") { Description = "First day, yyyy-MM-dd: date filled, or received for a prescription never dispensed" };
        var to = new Option<string?>("--to") { Description = "Last day, yyyy-MM-dd (inclusive)" };
        var schedule = new Option<string?>("--schedule") { Description = "Schedules, e.g. CII,CIII; 'controlled' (the default) or 'all' to add uncontrolled" };
        var prescriber = new Option<string?>("--prescriber") { Description = "Prescriber name prefix (accents and case ignored)" };
        var patient = new Option<string?>("--patient") { Description = "Patient name prefix" };
        var drug = new Option<string?>("--drug") { Description = "Drug name prefix" };
        var output = new Option<string>("--out") { Description = "The file to write; it must not exist", Required = true };
        var command = new Command("export", "Export prescription and dispensing records for an inspector (CSV, XLSX or SQLite)")
        {
            format, sort, from, to, schedule, prescriber, patient, drug, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (request, error) = ExportRequest.Parse(parse.GetValue(format), parse.GetValue(sort), parse.GetValue(from), parse.GetValue(to),
                parse.GetValue(schedule), parse.GetValue(prescriber), parse.GetValue(patient), parse.GetValue(drug));
            if (request is null)
            {
                await environment.Error.WriteLineAsync($"error: {error}");
                return 2;
            }
            var path = Path.GetFullPath(parse.GetValue(output)!);
            if (File.Exists(path))
            {
                await environment.Error.WriteLineAsync($"error: {path} exists; choose a new file");
                return 1;
            }
            if (!Directory.Exists(Path.GetDirectoryName(path)))
            {
                await environment.Error.WriteLineAsync($"error: the folder {Path.GetDirectoryName(path)} does not exist");
                return 1;
            }
            if (await CommandContext.OpenInitializedAsync(new DataFolder(parse.GetValue(data)!), environment, cancellationToken) is not { } context)
            {
                return 2;
            }
            await using (context)
            {
                var rows = await context.Get<InspectorExport>().WriteAsync(request, path, ReceiptSource.CommandLine.Actor, cancellationToken);
                CliJson.WriteLine(environment.Out, new { output = path, format = request.Extension, sort = parse.GetValue(sort), rows });
                return 0;
            }
        });
        return command;
    }
}
