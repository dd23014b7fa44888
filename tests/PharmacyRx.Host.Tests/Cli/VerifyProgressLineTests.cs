using PharmacyRx.Host.Cli;
using PharmacyRx.Host.Integrity;

namespace PharmacyRx.Host.Tests.Cli;

public class VerifyProgressLineTests
{
    private static VerifyProgress QuarterDone()
    {
        var progress = new VerifyProgress();
        progress.Totals(1_000, 2_000);
        for (var i = 0; i < 250; i++)
        {
            progress.RecordChecked();
        }
        for (var i = 0; i < 500; i++)
        {
            progress.AuditEventChecked();
        }
        return progress;
    }

    [Test]
    public void A_line_says_what_is_done_of_how_much_at_what_rate_and_the_time_left()
    {
        var line = VerifyProgressLine.Format(QuarterDone(), TimeSpan.FromSeconds(10));

        Assert.That(line, Is.EqualTo("verify: 250 of 1,000 records (25/s), 500 of 2,000 audit events (50/s), about 30 s left"));
    }

    [Test]
    public async Task Prints_plain_lines_at_its_interval_when_standard_error_is_not_a_terminal()
    {
        using var error = new StringWriter();

        await new VerifyProgressLine(error, terminal: false, TimeSpan.FromMilliseconds(50)).ShowAsync(QuarterDone(), Task.Delay(400));

        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(error.ToString(), Does.Not.Contain('\r'));
        Assert.That(lines, Has.Length.GreaterThanOrEqualTo(3));
        Assert.That(lines[0], Does.StartWith("verify: 250 of 1,000 records (").And.Contain(" left"));
        Assert.That(lines[^1], Does.StartWith("verify: 250 records and 500 audit events in "));
    }

    [Test]
    public async Task Redraws_one_line_in_place_on_a_terminal()
    {
        using var error = new StringWriter();

        await new VerifyProgressLine(error, terminal: true, TimeSpan.FromSeconds(10)).ShowAsync(QuarterDone(), Task.Delay(1_300));

        var text = error.ToString();
        Assert.That(text, Does.StartWith("\rverify: 250 of 1,000 records ("));
        Assert.That(text.Count(c => c == '\n'), Is.EqualTo(1), "only the last line ends a line");
        Assert.That(text, Does.EndWith("records/s)" + Environment.NewLine));
    }
}
