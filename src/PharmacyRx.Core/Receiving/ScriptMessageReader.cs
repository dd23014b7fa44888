using System.Text;
using System.Xml;

namespace PharmacyRx.Core.Receiving;

/// <summary>
/// Reads NCPDP SCRIPT XML (2017071 and later) in one forward pass; hostile input is a value, not an exception: no DTDs
/// (no entity expansion), nothing external resolved, size and depth capped. Unknown elements are skipped but stay in
/// the as-received bytes; the mapping is in <c>schemas/script-subset.md</c>.
/// </summary>
public sealed class ScriptMessageReader(ScriptReaderOptions options)
{
    private readonly XmlReaderSettings _settings = ReaderSettings(options);

    /// <summary>The SCRIPT XML namespace.</summary>
    public const string Namespace = "http://www.ncpdp.org/schema/SCRIPT";

    public ScriptMessageReader()
        : this(new ScriptReaderOptions())
    {
    }

    /// <summary>Reads a message; never throws for bad input.</summary>
    public ReadResult Read(ReadOnlyMemory<byte> bytes) => Read(bytes, firstOccurrenceWins: false);

    /// <summary>
    /// Reads a message as records archived before a repeated element was refused were read: the first occurrence of an
    /// element stands. Only for re-deriving such a record; receipt always uses <see cref="Read(ReadOnlyMemory{byte})"/>.
    /// </summary>
    public ReadResult ReadAsFirstOccurrenceWins(ReadOnlyMemory<byte> bytes) => Read(bytes, firstOccurrenceWins: true);

    private ReadResult Read(ReadOnlyMemory<byte> bytes, bool firstOccurrenceWins)
    {
        if (bytes.Length > options.MaxMessageBytes)
        {
            return ReadResult.Rejected(
                RejectionCode.TooLarge,
                $"message is {bytes.Length} bytes; the limit is {options.MaxMessageBytes} bytes");
        }

        var state = new ReadState { FirstOccurrenceWins = firstOccurrenceWins };
        try
        {
            using var stream = new ReadOnlyMemoryStream(bytes);
            using var xml = XmlReader.Create(stream, _settings);
            return ReadDocument(xml, state);
        }
        catch (XmlException ex) when (ex.Message.Contains("DTD", StringComparison.Ordinal))
        {
            return ReadResult.Rejected(RejectionCode.ForbiddenXml, "a DTD (DOCTYPE) is not allowed in a SCRIPT message", state.MessageId);
        }
        catch (XmlException ex) when (ex.Message.Contains("MaxCharactersInDocument", StringComparison.Ordinal))
        {
            return ReadResult.Rejected(RejectionCode.TooLarge, "message text exceeds the size limit", state.MessageId);
        }
        catch (XmlException ex)
        {
            return ReadResult.Rejected(RejectionCode.MalformedXml, $"malformed XML: {ex.Message}", state.MessageId);
        }
        catch (DecoderFallbackException)
        {
            return ReadResult.Rejected(RejectionCode.MalformedXml, "malformed XML: invalid character encoding", state.MessageId);
        }
    }

    private static XmlReaderSettings ReaderSettings(ScriptReaderOptions options) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        MaxCharactersInDocument = options.MaxMessageBytes,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        CloseInput = true,
    };

    private ReadResult ReadDocument(XmlReader xml, ReadState state)
    {
        if (xml.MoveToContent() != XmlNodeType.Element)
        {
            return ReadResult.Rejected(RejectionCode.MalformedXml, "malformed XML: no root element");
        }
        if (xml.LocalName != "Message" || xml.NamespaceURI != Namespace)
        {
            return ReadResult.Rejected(
                RejectionCode.WrongNamespace,
                $"root element is {{{xml.NamespaceURI}}}{xml.LocalName}; expected {{{Namespace}}}Message");
        }

        var path = new PathBuffer();
        var text = new StringBuilder();
        do
        {
            switch (xml.NodeType)
            {
                case XmlNodeType.Element:
                    if (xml.Depth >= options.MaxDepth)
                    {
                        return ReadResult.Rejected(RejectionCode.TooDeep, $"elements nest deeper than {options.MaxDepth}", state.MessageId);
                    }
                    // A DEASchedule keeps its name in any namespace: it cannot hide a schedule (ScriptFieldMap.Lookup).
                    var segment = xml.NamespaceURI == Namespace ? Segment(path, xml.LocalName, state)
                        : xml.LocalName.Equals("DEASchedule", StringComparison.OrdinalIgnoreCase) ? "DEASchedule" : "~";
                    path.Push(segment);
                    text.Clear();
                    if (ScriptFieldMap.Lookup(path.Current) is ScriptField.DigestMethod && xml.GetAttribute("Algorithm") is { } algorithm)
                    {
                        text.Append(algorithm);
                    }
                    if (xml.IsEmptyElement)
                    {
                        state.Assign(path.Current, text);
                        path.Pop();
                    }
                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace:
                    text.Append(xml.Value);
                    break;
                case XmlNodeType.EndElement:
                    state.Assign(path.Current, text);
                    text.Clear();
                    path.Pop();
                    break;
            }
        }
        while (xml.Read());

        return state.Build();
    }

    // The path segment for an element. The transaction under Body, the patient kind (HumanPatient, AnimalPatient),
    // the prescriber kind (NonVeterinarian, Veterinarian) and a later-version Product wrapper are folded so one
    // field map serves every shape.
    private static string Segment(PathBuffer path, string localName, ReadState state)
    {
        var parent = path.LastSegment;
        if (path.Depth == 2 && parent.SequenceEqual("Body"))
        {
            state.Transaction ??= localName;
            return "Rx";
        }
        if (path.Depth == 4 && parent.SequenceEqual("Response"))
        {
            // An answer's choice (Approved, Denied, …) is the name of the element under Body/<transaction>/Response.
            state.Response ??= localName;
        }
        if (parent.SequenceEqual("Patient") || parent.SequenceEqual("Prescriber"))
        {
            return "*";
        }
        if (parent.SequenceEqual("MedicationPrescribed") && localName == "Product")
        {
            return "";
        }
        return localName;
    }

    private sealed class ReadState
    {
        private readonly string[] _values = new string[ScriptFieldMap.FieldCount];
        private readonly List<string> _certificates = [];

        public string? Transaction { get; set; }

        public string? Response { get; set; }
        public bool FirstOccurrenceWins { get; init; }

        public string MessageId => _values[(int)ScriptField.MessageId] ?? "";

        public void Assign(ReadOnlySpan<char> path, StringBuilder text)
        {
            if (ScriptFieldMap.Lookup(path) is not { } field)
            {
                return;
            }
            if (field is ScriptField.Certificate)
            {
                _certificates.Add(StripWhitespace(text));
                return;
            }
            if (field is ScriptField.DeaSchedule)
            {
                // Every schedule sent counts and the strictest stands, so neither an empty DEASchedule first nor a milder
                // one can make a controlled prescription look uncontrolled (1311.200(a)).
                _values[(int)field] = DeaScheduleCodes.Stricter(_values[(int)field] ?? "", SignedElements.Normalize(text.ToString()));
                return;
            }
            if (_values[(int)field] is not null)
            {
                // An element allowed once, sent twice: one reader taking the first and another the last would see two
                // prescriptions, so neither is chosen (schemas/script-subset.xsd, maxOccurs="1").
                Duplicate ??= FirstOccurrenceWins ? null : ElementName(path);
                return;
            }
            _values[(int)field] = ScriptFieldMap.IsBase64(field) ? StripWhitespace(text) : SignedElements.Normalize(text.ToString());
        }

        /// <summary>The first element read twice that may occur once, as its path below Message; null when none was.</summary>
        public string? Duplicate { get; private set; }

        // The path as the sender wrote it, but with the transaction's name back in place of the folded "Rx".
        private string ElementName(ReadOnlySpan<char> path) =>
            path.ToString().TrimStart('/').Replace("/Rx/", $"/{Transaction}/", StringComparison.Ordinal);

        public ReadResult Build()
        {
            var kind = ScriptTransactions.Find(Transaction);
            if (kind is null)
            {
                return ReadResult.Rejected(
                    RejectionCode.UnsupportedTransaction,
                    Transaction is null ? "the message has no transaction in Body" : $"unsupported transaction {Transaction}",
                    MessageId);
            }
            if (Duplicate is { } duplicate)
            {
                return ReadResult.Rejected(RejectionCode.DuplicateElement, $"{duplicate} occurs more than once; SCRIPT allows it once", MessageId);
            }
            if (MessageId.Length == 0)
            {
                return ReadResult.Rejected(RejectionCode.MissingMessageId, "Header/MessageID is missing");
            }
            if (BoundedFields.FirstTooLong(Value) is { } tooLong)
            {
                return ReadResult.Rejected(RejectionCode.FieldTooLong, tooLong, MessageId);
            }
            return ReadResult.Read(new ScriptMessage(kind.Value, Header(), Elements())
            {
                Response = BoundedFields.Fitting(Response ?? ""),
                Answer = new ScriptAnswer(Value(ScriptField.AnswerCode), Value(ScriptField.AnswerDescriptionCode), Value(ScriptField.AnswerDescription)),
            });
        }

        private string Value(ScriptField field) => _values[(int)field] ?? "";

        private MessageHeader Header() => new()
        {
            To = Value(ScriptField.To),
            From = Value(ScriptField.From),
            MessageId = Value(ScriptField.MessageId),
            RelatesToMessageId = Value(ScriptField.RelatesToMessageId),
            SentTime = Value(ScriptField.SentTime),
            PrescriberOrderNumber = Value(ScriptField.PrescriberOrderNumber),
            Signature = new SignatureBlock
            {
                Indicator = Value(ScriptField.SignatureIndicator) switch
                {
                    "true" or "1" => true,
                    "false" or "0" => false,
                    _ => null,
                },
                DigestMethod = Value(ScriptField.DigestMethod),
                DigestValue = Value(ScriptField.DigestValue),
                SignatureValue = Value(ScriptField.SignatureValue),
                Certificates = _certificates.ToArray(),
            },
        };

        private DeaElements Elements() => new()
        {
            PrescriberDeaNumber = Value(ScriptField.PrescriberDeaNumber),
            PrescriberLastName = Value(ScriptField.PrescriberLastName),
            PrescriberFirstName = Value(ScriptField.PrescriberFirstName),
            PrescriberMiddleName = Value(ScriptField.PrescriberMiddleName),
            PrescriberAddress = new PostalAddress(
                Value(ScriptField.PrescriberAddressLine1),
                Value(ScriptField.PrescriberAddressLine2),
                Value(ScriptField.PrescriberCity),
                Value(ScriptField.PrescriberStateProvince),
                Value(ScriptField.PrescriberPostalCode)),
            PatientLastName = Value(ScriptField.PatientLastName),
            PatientFirstName = Value(ScriptField.PatientFirstName),
            PatientMiddleName = Value(ScriptField.PatientMiddleName),
            PatientAddress = new PostalAddress(
                Value(ScriptField.PatientAddressLine1),
                Value(ScriptField.PatientAddressLine2),
                Value(ScriptField.PatientCity),
                Value(ScriptField.PatientStateProvince),
                Value(ScriptField.PatientPostalCode)),
            DrugDescription = Value(ScriptField.DrugDescription),
            DrugStrengthValue = Value(ScriptField.DrugStrengthValue),
            DrugStrengthUnit = Value(ScriptField.DrugStrengthUnit),
            DosageForm = Value(ScriptField.DosageForm),
            QuantityValue = Value(ScriptField.QuantityValue),
            QuantityUnit = Value(ScriptField.QuantityUnit),
            // 2017071 carries directions in Sig/SigText; later versions in Directions. Either feeds the same element.
            Directions = Value(ScriptField.SigText) is { Length: > 0 } sig ? sig : Value(ScriptField.Directions),
            WrittenDate = Value(ScriptField.WrittenDate) is { Length: > 0 } date ? date : Value(ScriptField.WrittenDateTime),
            NumberOfRefills = Value(ScriptField.NumberOfRefills),
            EarliestFillDate = Value(ScriptField.EarliestFillDate),
            DeaScheduleCode = Value(ScriptField.DeaSchedule),
            PrescriberNpi = Value(ScriptField.PrescriberNpi),
            PatientBirthDate = Value(ScriptField.PatientBirthDate),
        };

        private static string StripWhitespace(StringBuilder text)
        {
            var result = new StringBuilder(text.Length);
            foreach (var chunk in text.GetChunks())
            {
                foreach (var c in chunk.Span)
                {
                    if (!char.IsWhiteSpace(c))
                    {
                        result.Append(c);
                    }
                }
            }
            return result.ToString();
        }
    }
}
