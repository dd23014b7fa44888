using System.Text.RegularExpressions;
using PharmacyRx.Core.Export;

namespace PharmacyRx.Core.Tests.Export;

public class ExportColumnsTests
{
    [Test]
    public void The_stored_detail_fields_are_the_export_columns_after_the_prescription_number_by_name_and_in_order()
    {
        // A details row is read by position into the export record: a field added to one list and not the other, or moved,
        // would shift every column after it.
        var columns = ExportColumns.All.Skip(1).Take(Enum.GetValues<DetailField>().Length).Select(column => column.SqlName);
        var fields = Enum.GetValues<DetailField>().Select(field => Regex.Replace(field.ToString(), "(?<=[a-z])([A-Z])", "_$1").ToLowerInvariant());

        Assert.That(fields, Is.EqualTo(columns));
    }
}
