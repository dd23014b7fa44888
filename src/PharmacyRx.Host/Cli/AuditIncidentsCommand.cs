using System.CommandLine;
using System.Globalization;
using PharmacyRx.Host.Audit;
using PharmacyRx.Host.Receiving;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>audit incidents list|decide|reported|report</c>: the flagged auditable events and the security incidents
/// (1311.215(c)), as the console and the API show them; a decision and a report marked sent are audited, by the
/// operating-system user.
/// </summary>
internal static class AuditIncidentsCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var list = new Command("list", "The flagged events with their state and the incidents with their deadline, one JSON document");
        list.SetAction((parse, ct) => RunAsync(environment, parse.GetValue(data)!, ct, async store =>
        {
            CliJson.WriteLine(environment.Out, IncidentViews.View(await store.ReadAsync(ct)));
            return 0;
        }));

        var events = new Option<string>("--events") { Description = "The flagged events' sequence numbers: 12,14-20", Required = true };
        var incident = new Option<bool>("--incident") { Description = "A security incident (otherwise: not one)" };
        var reason = new Option<string>("--reason") { Description = "Why", Required = true };
        var action = new Option<string>("--action") { Description = "For an incident: what was done" };
        var decide = new Command("decide", "Decide flagged events together: a security incident or not, with the reason") { events, incident, reason, action };
        decide.SetAction((parse, ct) => RunAsync(environment, parse.GetValue(data)!, ct, async store =>
        {
            var sequences = ChainIntrusions.Parse($"sequences={parse.GetValue(events)}").Take(IncidentStore.MaxEventsPerDecision + 1).ToArray();
            var decided = await store.DecideAsync(sequences, parse.GetValue(incident), parse.GetValue(reason), parse.GetValue(action), ReceiptSource.CommandLine.Actor, ct);
            return await OutcomeAsync(environment, decided);
        }));

        var id = new Argument<Guid>("incident") { Description = "The incident's id (its decision)" };
        var to = new Option<string>("--to") { Description = "Whom the report was sent to (the DEA office, the application provider)", Required = true };
        var at = new Option<string>("--at") { Description = "When it was sent (ISO 8601; now when left out)" };
        var reported = new Command("reported", "Mark an incident's report sent: to whom and when") { id, to, at };
        reported.SetAction((parse, ct) => RunAsync(environment, parse.GetValue(data)!, ct, async store =>
        {
            DateTimeOffset? sentAt = null;
            if (parse.GetValue(at) is { } text)
            {
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    await environment.Error.WriteLineAsync("error: --at is an ISO 8601 time");
                    return 1;
                }
                sentAt = parsed;
            }
            return await OutcomeAsync(environment, await store.MarkReportedAsync(parse.GetValue(id), parse.GetValue(to), sentAt, ReceiptSource.CommandLine.Actor, ct));
        }));

        var format = new Option<string>("--format") { Description = "txt or html", DefaultValueFactory = _ => "txt" };
        format.AcceptOnlyFromAmong("txt", "html");
        var report = new Command("report", "Print an incident's kept report (txt, or HTML to print to PDF)") { id, format };
        report.SetAction((parse, ct) => RunAsync(environment, parse.GetValue(data)!, ct, async store =>
        {
            if (await store.ReportAsync(parse.GetValue(id), ct) is not { } kept)
            {
                await environment.Error.WriteLineAsync($"error: no incident report {parse.GetValue(id):D}");
                return 1;
            }
            await environment.Out.WriteAsync(parse.GetValue(format) == "html" ? kept.Html : kept.Text);
            return 0;
        }));

        return new Command("incidents", "Security incidents (1311.215(c)): decide each flagged event, report each incident within one business day")
        {
            list, decide, reported, report,
        };
    }

    private static async Task<int> OutcomeAsync(CliEnvironment environment, IncidentStore.Outcome outcome)
    {
        if (outcome.DecisionId is not { } decision)
        {
            await environment.Error.WriteLineAsync($"error: {outcome.Problem}");
            return 1;
        }
        CliJson.WriteLine(environment.Out, new { decisionId = decision });
        return 0;
    }

#pragma warning disable CA1068 // the command's body reads best as the last argument
    private static async Task<int> RunAsync(CliEnvironment environment, string data, CancellationToken cancellationToken, Func<IncidentStore, Task<int>> run)
    {
        if (await CommandContext.OpenInitializedAsync(new DataFolder(data), environment, cancellationToken) is not { } context)
        {
            return 2;
        }
        await using (context)
        {
            return await run(context.Get<IncidentStore>());
        }
    }
#pragma warning restore CA1068
}
