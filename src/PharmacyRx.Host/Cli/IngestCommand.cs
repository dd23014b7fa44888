using System.CommandLine;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Host.Receiving;

namespace PharmacyRx.Host.Cli;

/// <summary>
/// <c>ingest FILE...</c>: runs each file through the receipt pipeline and prints one JSON line per file. A rejected
/// message is still an archived one (exit 0); the exit code is 1 when a file could not be archived at all, and 75
/// (EX_TEMPFAIL) when a storage fault kept one from the archive: try again once the fault is fixed.
/// </summary>
internal static class IngestCommand
{
    public static Command Create(CliEnvironment environment, Option<string> data)
    {
        var files = new Argument<string[]>("files") { Description = "SCRIPT XML files to archive", Arity = ArgumentArity.OneOrMore };
        var command = new Command("ingest", "Archive SCRIPT XML files through the receipt pipeline") { files };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(environment, new DataFolder(parse.GetValue(data)!), parse.GetValue(files)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliEnvironment environment, DataFolder data, string[] files, CancellationToken cancellationToken)
    {
        if (await CommandContext.OpenSigningAsync(data, environment, cancellationToken) is not { } opened)
        {
            return 2;
        }
        await using var context = opened;
        var pipeline = context.Get<ReceiptPipeline>();

        var notArchived = 0;
        var storageFaults = 0;
        foreach (var file in files)
        {
            string? error;
            try
            {
                // A thin door: the size cap and the archiving of what could not be processed are the pipeline's.
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
                var result = await pipeline.ReceiveAsync(stream, stream.Length, ReceiptSource.CommandLine, readTimeout: null, cancellationToken);
                CliJson.WriteLine(environment.Out, new
                {
                    file,
                    receiptId = result.ReceiptId,
                    messageId = result.MessageId,
                    status = result.Status.ToString(),
                    reason = result.Reason,
                    reasonCode = result.ReasonCode,
                    duplicate = result.IsDuplicate,
                });
                continue;
            }
            catch (FileNotFoundException)
            {
                error = "file not found";
            }
            catch (StorageFaultException ex)
            {
                // Nothing was archived: the data folder's storage failed, not the message. Run it again once IT has fixed it.
                error = $"not archived: storage fault: {ex.Fault.Name}";
                storageFaults++;
                await environment.Error.WriteLineAsync($"error: {file}: {error}");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Nothing was archived (the file could not be read): run it again.
                error = $"not archived: {ex.GetType().Name}";
            }
            notArchived++;
            CliJson.WriteLine(environment.Out, new { file, receiptId = (Guid?)null, messageId = "", status = "NotArchived", reason = error });
        }
        return storageFaults > 0 ? PharmacyRxCommandLine.StorageFaultExit : notArchived == 0 ? 0 : 1;
    }
}
