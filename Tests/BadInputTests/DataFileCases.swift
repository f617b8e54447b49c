// Malformed data files of every format `load` reads, and the fine-tuning files of finetuneTask:
// truncated lines, wrong column counts, undecodable bytes, empty files, huge or negative or NaN
// times, feature files of the wrong size. Each error names the file and line and what was expected.

private let inter = "user_id:token\titem_id:token\ttimestamp:float\n"
private let good = inter + "u1\ta\t1\nu1\tb\t2\nu2\ta\t3\n"
private func recbole(_ name: String, _ files: [(String, [UInt8])], _ expected: String, format: Bool = false) -> BadInput {
    BadInput("data/recbole", name, files: files, format ? "load(\"$DIR/r\", format: \"recbole\")" : "load(\"$DIR/r\")",
             expect: "1:6: $DIR/r/" + expected)
}
private func interFile(_ s: String) -> [(String, [UInt8])] { [("r/r.inter", text(s))] }

private let presplitHeader = "user_id:token\titem_id_list:token_seq\titem_id:token\n"
private let presplitOK: [(String, [UInt8])] = [
    ("p/p.train.inter", text(presplitHeader + "u\t0\t1\nv\t1\t2\n")),
    ("p/p.valid.inter", text(presplitHeader + "u\t0 1\t2\nv\t1 2\t0\n")),
    ("p/p.test.inter", text(presplitHeader + "u\t0 1 2\t3\nv\t1 2 0\t3\n")),
]
private func presplit(_ name: String, _ files: [(String, [UInt8])], _ expected: String) -> BadInput {
    BadInput("data/presplit", name, files: files, "load(\"$DIR/p\")", expect: "1:6: $DIR/p/" + expected)
}
private func replacing(_ files: [(String, [UInt8])], _ name: String, _ bytes: [UInt8]) -> [(String, [UInt8])] {
    files.filter { $0.0 != name } + [(name, bytes)]
}
/// Little-endian float32 bytes.
private func floats(_ values: [Float]) -> [UInt8] {
    values.flatMap { v -> [UInt8] in let b = v.bitPattern; return [UInt8(b & 0xFF), UInt8(b >> 8 & 0xFF), UInt8(b >> 16 & 0xFF), UInt8(b >> 24)] }
}

private func sessions(_ name: String, _ bytes: [UInt8], _ expected: String) -> BadInput {
    BadInput("data/sessions", name, files: [("s.csv", bytes)], "load(\"$DIR/s.csv\")", expect: "1:6: $DIR/s.csv" + expected)
}

private let flags = Array(repeating: "0", count: 19).joined(separator: "|")
private func movielens(_ name: String, _ files: [(String, [UInt8])], _ expected: String) -> BadInput {
    BadInput("data/movielens", name, files: files, "load(\"$DIR/ml\")", expect: "1:6: $DIR/ml/" + expected)
}
private let udata = "1\t10\t5\t881250949\n2\t10\t3\t881250950\n"

private func amazon(_ name: String, _ lines: String, _ expected: String) -> BadInput {
    BadInput("data/amazon", name, files: [("a.json", text(lines))], "load(\"$DIR/a.json\")", expect: "1:6: $DIR/a.json" + expected)
}
private let review = "{\"reviewerID\": \"A1\", \"asin\": \"B1\", \"unixReviewTime\": 1400000000}\n"

/// The fine-tuning cases run against the toy world, whose item tokens are "movies-1"..."movies-200".
private func finetuneFile(_ name: String, _ bytes: [UInt8], _ expected: String) -> BadInput {
    BadInput("data/finetune", name, files: [("f.csv", bytes)], setup: "w = synthetic(\"toy\", seed: 1);\n",
             "finetuneTask(\"$DIR/f.csv\", w)", expect: "1:14: $DIR/f.csv" + expected)
}

let dataFileCases: [BadInput] = [
    // RecBole atomic files.
    recbole("empty inter file", interFile(""), "r.inter:1: empty file; expected a header line of name:type fields"),
    recbole("blank lines only", interFile("\n\r\n\n"), "r.inter:1: empty file"),
    recbole("header without rows", interFile(inter), "r.inter:2: no interactions after the header"),
    recbole("header field without type", interFile("user_id\titem_id:token\nu\ti\n"),
            "r.inter:1: header field 'user_id' has no type; expected name:type"),
    recbole("unknown field type", interFile("user_id:int\titem_id:token\n1\t2\n"),
            "r.inter:1: unknown field type 'int' in header field 'user_id:int'"),
    recbole("duplicate header field", interFile("user_id:token\tuser_id:token\n1\t2\n"),
            "r.inter:1: header names field 'user_id' twice"),
    recbole("trailing tab in header", interFile("user_id:token\titem_id:token\t\nu\ta\t\n"),
            "r.inter:1: header field '' has no type"),
    recbole("no user field", interFile("uid:token\titem_id:token\n1\t2\n"),
            "r.inter:1: no field 'user_id' for the user id; the header has uid, item_id"),
    recbole("item field of type float", interFile("user_id:token\titem_id:float\n1\t2\n"),
            "r.inter:1: field 'item_id' is float; the item id must be token"),
    recbole("timestamp of type token", interFile("user_id:token\titem_id:token\ttimestamp:token\nu\ta\t1\n"),
            "r.inter:1: field 'timestamp' is token; the time must be float"),
    recbole("truncated line", interFile(good + "u3\tc"), "r.inter:5: expected 3 tab-separated fields (user_id, item_id, timestamp), found 2"),
    recbole("extra field", interFile(good + "u3\tc\t4\t5\n"), "r.inter:5: expected 3 tab-separated fields (user_id, item_id, timestamp), found 4"),
    recbole("spaces instead of tabs", interFile(inter + "u a 1\n"), "r.inter:2: expected 3 tab-separated fields (user_id, item_id, timestamp), found 1; check that fields are separated by tabs"),
    recbole("time not a number", interFile(good + "u3\tc\tyesterday\n"), "r.inter:5: expected a number for timestamp, found 'yesterday'"),
    recbole("NaN time", interFile(inter + "u\ta\tnan\n"), "r.inter:2: expected a number for timestamp, found 'nan'"),
    recbole("infinite time", interFile(inter + "u\ta\tinf\n"), "r.inter:2: expected a number for timestamp, found 'inf'"),
    recbole("time too large for a double", interFile(inter + "u\ta\t1e400\n"),
            "r.inter:2: expected a number for timestamp, found '1e400'"),
    recbole("empty time", interFile(inter + "u\ta\t\n"), "r.inter:2: expected a number for timestamp, found ''"),
    recbole("empty user token", interFile(inter + "\ta\t1\n"), "r.inter:2: empty user_id; expected a user token"),
    recbole("empty item token", interFile(inter + "u\t\t1\n"), "r.inter:2: empty item_id; expected an item token"),
    recbole("bad float in another column", interFile("user_id:token\titem_id:token\trating:float\nu\ta\tfive\n"),
            "r.inter:2: expected a number for rating:float, found 'five'"),
    recbole("decimal comma", interFile("user_id:token\titem_id:token\trating:float\nu\ta\t4,5\n"),
            "r.inter:2: expected a number for rating:float, found '4,5'"),
    recbole("undecodable byte", [("r/r.inter", text(good) + [0x75, 0xFF, 0x09, 0x61, 0x09, 0x32, 0x0A])],
            "r.inter:5: undecodable text at byte 66: expected UTF-8; re-encode the file (for example `iconv -f latin1 -t utf-8`)"),
    recbole("truncated UTF-8 at the end", [("r/r.inter", text(inter + "u\ta\t1\nu\tb\t2") + [0xE2, 0x82])],
            "r.inter:3: undecodable text"),
    recbole("UTF-16 file", [("r/r.inter", [0xFF, 0xFE] + text(inter).flatMap { [$0, 0] })],
            "r.inter:1: undecodable text at byte 0: expected UTF-8; re-encode the file"),
    recbole("item file lists an item twice", interFile(good) + [("r/r.item", text("item_id:token\ttitle:token_seq\na\tOne\nb\tTwo\na\tThree\n"))],
            "r.item:4: item_id 'a' is listed again (first on line 2)"),
    recbole("item file row too short", interFile(good) + [("r/r.item", text("item_id:token\ttitle:token_seq\na\n"))],
            "r.item:2: expected 2 tab-separated fields (item_id, title), found 1"),
    recbole("item file bad float_seq", interFile(good) + [("r/r.item", text("item_id:token\tvec:float_seq\na\t1 x 3\n"))],
            "r.item:2: expected space-separated numbers for vec:float_seq, found '1 x 3'"),
    recbole("item file key of type float", interFile(good) + [("r/r.item", text("item_id:float\ttitle:token_seq\n1\tOne\n"))],
            "r.item:1: field 'item_id' is float; the item id must be token"),
    recbole("empty item file", interFile(good) + [("r/r.item", [])], "r.item:1: empty file; expected a header line"),
    recbole("user file without key", interFile(good) + [("r/r.user", text("id:token\tage:token\nu1\t3\n"))],
            "r.user:1: no field 'user_id' for the user id; the header has id, age"),
    recbole("user file empty key", interFile(good) + [("r/r.user", text("user_id:token\tage:token\n\t3\n"))],
            "r.user:2: empty user_id; expected a token"),
    recbole("user file undecodable", interFile(good) + [("r/r.user", text("user_id:token\tage:token\nu1\t") + [0xC3, 0x28, 0x0A])],
            "r.user:2: undecodable text at byte"),
    recbole("no inter file with format", [("r/r.item", text("item_id:token\na\n"))],
            "r.inter: no such file; check the path", format: true),

    // Pre-split benchmark files (UniSRec / VQ-Rec layout).
    presplit("missing valid part", presplitOK.filter { $0.0 != "p/p.valid.inter" },
             "p.valid.inter: no such file; check the path"),
    presplit("no history column", replacing(presplitOK, "p/p.train.inter", text("user_id:token\titem_id:token\nu\t1\n")),
             "p.train.inter:1: no field 'item_id_list' for the history"),
    presplit("history column not a sequence", replacing(presplitOK, "p/p.train.inter", text("user_id:token\titem_id_list:token\titem_id:token\nu\t0\t1\n")),
             "p.train.inter:1: field 'item_id_list' is token; the history must be token_seq"),
    presplit("empty history", replacing(presplitOK, "p/p.train.inter", text(presplitHeader + "u\t0\t1\nu\t\t2\n")),
             "p.train.inter:3: empty item_id_list; expected at least one space-separated history item"),
    presplit("empty target", replacing(presplitOK, "p/p.test.inter", text(presplitHeader + "u\t0 1 2\t\n")),
             "p.test.inter:2: empty item_id; expected the target item token"),
    presplit("truncated row", replacing(presplitOK, "p/p.valid.inter", text(presplitHeader + "u\t0 1\t2\nv\t1 2")),
             "p.valid.inter:3: expected 3 tab-separated fields (user_id, item_id_list, item_id), found 2"),
    presplit("train part without rows", replacing(presplitOK, "p/p.train.inter", text(presplitHeader)),
             "p.train.inter:2: no rows after the header; expected one history → target row per line"),
    presplit("feature file not float32", presplitOK + [("p/p.feat1CLS", [1, 2, 3, 4, 5, 6, 7])],
             "p.feat1CLS: size 7 bytes is not a multiple of 4; expected raw little-endian float32 values"),
    presplit("empty feature file", presplitOK + [("p/p.feat1CLS", [])],
             "p.feat1CLS: empty file; expected raw float32 item features"),
    presplit("feature rows do not divide", presplitOK + [("p/p.feat1CLS", floats(Array(repeating: 0.5, count: 7)))],
             "p.feat1CLS: 7 float32 values do not divide into 4 item rows; pass featureWidth explicitly"),
    presplit("feature row missing for an item", presplitOK + [("p/p.item2index", text("X\t0\nY\t1\n")), ("p/p.feat1CLS", floats(Array(repeating: 0.5, count: 4)))],
             "p.feat1CLS: item '2' has no row here (2 rows of 2 floats)"),
    presplit("NaN feature value", presplitOK + [("p/p.feat1CLS", floats([0.1, 0.2, 0.3, 0.4, 0.5, .nan, 0.7, 0.8]))],
             "p.feat1CLS: row 2 (item '2') holds nan at column 2; expected finite float32 values"),
    presplit("infinite feature value", presplitOK + [("p/p.feat1CLS", floats([0.1, .infinity, 0.3, 0.4]))],
             "p.feat1CLS: row 1 (item '1') holds inf at column 1; expected finite float32 values"),
    presplit("item2index without index", presplitOK + [("p/p.item2index", text("X\t0\nY\tone\n"))],
             "p.item2index:2: expected RAW_ID<TAB>index with a non-negative integer index, found 'Y\tone'"),
    presplit("item2index negative index", presplitOK + [("p/p.item2index", text("X\t-1\n"))],
             "p.item2index:1: expected RAW_ID<TAB>index with a non-negative integer index, found 'X\t-1'"),
    presplit("empty item2index", presplitOK + [("p/p.item2index", [])],
             "p.item2index:1: empty file; expected RAW_ID<TAB>index lines"),
    presplit("user2index huge index", presplitOK + [("p/p.user2index", text("u\t99999999999999999999999\n"))],
             "p.user2index:1: expected RAW_ID<TAB>index with a non-negative integer index"),
    presplit("text file without text field", presplitOK + [("p/p.text", text("item_id:token\ttitle:token_seq\n0\tA\n"))],
             "p.text:1: no field 'text'; expected header item_id:token<TAB>text:token_seq"),
    presplit("text file lists an item twice", presplitOK + [("p/p.text", text("item_id:token\ttext:token_seq\n0\tA\n0\tB\n"))],
             "p.text:3: item_id '0' is listed again (first on line 2)"),

    // NextItNet / PeterRec session CSV files.
    sessions("empty file", [], ":1: empty file; expected comma-separated item tokens, one user per line"),
    sessions("blank lines only", text("\n\n  \n"), ":3: empty item in field 1"),
    sessions("byte-order mark only", [0xEF, 0xBB, 0xBF], ":1: empty file"),
    sessions("empty field", text("a,b,c\na,,c\n"), ":2: empty item in field 2; expected comma-separated item tokens"),
    sessions("trailing comma", text("a,b,c\nd,e,\n"), ":2: empty item in field 3"),
    sessions("fine-tuning line", text("a,b,,t\n"), ":1: empty item in field 3; expected comma-separated item tokens (a line `source,,target` is the fine-tuning form"),
    sessions("undecodable byte", text("a,b\nc,") + [0x80] + text("\n"), ":2: undecodable text at byte 6: expected UTF-8"),
    sessions("binary garbage", [0x00, 0x9F, 0x92, 0x96, 0xFF, 0x10], ":1: undecodable text at byte 1"),

    // GroupLens MovieLens directories.
    movielens("u.data with three fields", [("ml/u.data", text(udata + "1\t2\t3\n"))], "u.data:3: expected 4 tab-separated fields, found 3"),
    movielens("u.data spaces", [("ml/u.data", text("1 10 5 881250949\n"))], "u.data:1: the item column index 1 is outside the 1 tab-separated fields; columns are numbered from 0; check that fields are separated by tabs"),
    movielens("u.data time not a number", [("ml/u.data", text("1\t2\t3\tnoon\n"))],
              "u.data:1: expected a number for the time column column 3, found 'noon'"),
    movielens("u.data NaN time", [("ml/u.data", text(udata + "1\t2\t3\tNaN\n"))],
              "u.data:3: expected a number for the time column column 3, found 'NaN'"),
    movielens("u.data negative time", [("ml/u.data", text(udata + "3\t11\t4\t-5\n"))],
              "u.data:3: negative time -5 in column 3; expected Unix seconds (0 or later)"),
    movielens("u.data empty user", [("ml/u.data", text("\t10\t5\t881250949\n"))], "u.data:1: empty user in field 1; expected a user token"),
    movielens("empty u.data", [("ml/u.data", [])], "u.data:1: empty file; expected interaction lines"),
    movielens("u.data undecodable", [("ml/u.data", text(udata) + [0xFE] + text("\t1\t1\t1\n"))], "u.data:3: undecodable text at byte"),
    movielens("u.item genre flag", [("ml/u.data", text(udata)), ("ml/u.item", text("10|T|d||u|" + flags.dropLast() + "2\n"))],
              "u.item:1: expected a genre flag 0 or 1 in field 24, found '2'"),
    movielens("u.item too few fields", [("ml/u.data", text(udata)), ("ml/u.item", text("10|Toy Story (1995)|01-Jan-1995\n"))],
              "u.item:1: expected 24 '|'-separated fields, found 3"),
    movielens("u.item empty id", [("ml/u.data", text(udata)), ("ml/u.item", text("|T|d||u|" + flags + "\n"))],
              "u.item:1: empty id in field 1; expected a token"),
    movielens("u.user age not a number", [("ml/u.data", text(udata)), ("ml/u.user", text("1|old|M|writer|0\n"))],
              "u.user:1: expected an integer age in field 2, found 'old'"),
    movielens("u.user too few fields", [("ml/u.data", text(udata)), ("ml/u.user", text("1|24|M\n"))],
              "u.user:1: expected 5 '|'-separated fields, found 3"),
    movielens("ratings.dat field count", [("ml/ratings.dat", text("1::2::5::9\n1::2::5\n"))],
              "ratings.dat:2: expected 4 '::'-separated fields, found 3"),
    movielens("ratings.dat time as a date", [("ml/ratings.dat", text("1::2::5::2000-12-31\n"))],
              "ratings.dat:1: expected a number for the time column column 3, found '2000-12-31'; convert dates to Unix seconds"),
    movielens("ratings.dat negative time", [("ml/ratings.dat", text("1::2::5::978300760\n1::3::5::-1\n"))],
              "ratings.dat:2: negative time -1 in column 3; expected Unix seconds (0 or later)"),
    movielens("movies.dat field count", [("ml/ratings.dat", text("1::2::5::9\n")), ("ml/movies.dat", text("2::Jumanji (1995)\n"))],
              "movies.dat:1: expected 3 '::'-separated fields, found 2"),
    movielens("users.dat field count", [("ml/ratings.dat", text("1::2::5::9\n")), ("ml/users.dat", text("1::F::1::10\n"))],
              "users.dat:1: expected 5 '::'-separated fields, found 4"),
    BadInput("data/movielens", "directory without ratings", files: [("ml/README", text("nothing\n"))],
             "load(\"$DIR/ml\", format: \"movielens\")",
             expect: "1:6: $DIR/ml: no u.data (MovieLens 100K) or ratings.dat (MovieLens 1M) here; expected an unpacked GroupLens archive"),

    // Amazon review JSON lines.
    amazon("line not JSON", review + "{'asin': 'B'}\n", ":2: expected one JSON object per line"),
    amazon("truncated line", review + "{\"reviewerID\": \"A2\", \"asin\": \"B", ":2: expected one JSON object per line"),
    amazon("array instead of object", review + "[\"A2\", \"B2\", 1]\n", ":2: expected one JSON object per line"),
    amazon("missing asin", "{\"reviewerID\": \"A\", \"unixReviewTime\": 1}\n", ":1: expected a non-empty string field 'asin'"),
    amazon("missing reviewer", review + "{\"asin\": \"B\", \"unixReviewTime\": 1}\n", ":2: expected a non-empty string field 'reviewerID'"),
    amazon("empty asin", "{\"reviewerID\": \"A\", \"asin\": \"\", \"unixReviewTime\": 1}\n", ":1: expected a non-empty string field 'asin'"),
    amazon("asin as a number", "{\"reviewerID\": \"A\", \"asin\": 17, \"unixReviewTime\": 1}\n", ":1: expected a non-empty string field 'asin'"),
    amazon("time as text", "{\"reviewerID\": \"A\", \"asin\": \"B\", \"unixReviewTime\": \"01 1, 2014\"}\n",
           ":1: expected a number field 'unixReviewTime' (Unix seconds)"),
    amazon("time as NaN", "{\"reviewerID\": \"A\", \"asin\": \"B\", \"unixReviewTime\": NaN}\n", ":1: expected one JSON object per line"),
    amazon("negative time", review + "{\"reviewerID\": \"A\", \"asin\": \"B\", \"unixReviewTime\": -86400}\n",
           ":2: negative unixReviewTime -86400; expected Unix seconds (0 or later)"),
    amazon("time too large", "{\"reviewerID\": \"A\", \"asin\": \"B\", \"unixReviewTime\": 1e400}\n",
           ":1: expected"),
    amazon("empty file", "", ":1: empty file; expected one JSON review object per line"),
    BadInput("data/amazon", "undecodable byte", files: [("a.json", text(review) + [0xC0, 0xAF] + text("\n"))], "load(\"$DIR/a.json\")",
             expect: "1:6: $DIR/a.json:2: undecodable text at byte"),

    // PeterRec fine-tuning files (source items,,target items), read against a pretraining dataset.
    finetuneFile("empty file", [], ":1: empty file; expected lines of the form source items,,target items"),
    finetuneFile("empty source field", text("movies-1,movies-2,,7\nmovies-1, ,movies-2,,8\n"), ":2: empty source item in field 2"),
    finetuneFile("line without source", text("movies-1,movies-2,,7\n,,t2\n"), ":2: empty source item in field 1"),
    finetuneFile("empty middle target", text("movies-1,movies-2,,t1,,t2\n"), ":1: empty target in field 2 after `,,`"),
    finetuneFile("source not in the pretraining items", text("movies-1,movies-2,,7\nmovies-1,nosuchitem,,8\n"),
                 ":2: source item 'nosuchitem' is not in the pretraining vocabulary"),
    finetuneFile("undecodable byte", text("movies-1,movies-2,,7\nmovies-1,") + [0xFF] + text(",,8\n"), ":2: undecodable text at byte"),

    // Paths and formats.
    BadInput("data/paths", "missing path without extension", "load(\"$DIR/nothing-here\")",
             expect: "1:6: $DIR/nothing-here: no such file or directory; check the path (relative paths start at the working directory)"),
    BadInput("data/paths", "missing csv file", "load(\"$DIR/missing.csv\")",
             expect: "1:6: $DIR/missing.csv: no such file; check the path (relative paths start at the working directory)"),
    BadInput("data/paths", "directory of unknown files", files: [("d/notes.txt", text("hello\n"))], "load(\"$DIR/d\")",
             expect: "1:6: $DIR/d: cannot tell the data format; give format: one of recbole, presplit, sessions, csv, movielens, amazon"),
    BadInput("data/paths", "file of unknown extension", files: [("x.parquet", [0x50, 0x41, 0x52, 0x31])], "load(\"$DIR/x.parquet\")",
             expect: "1:6: $DIR/x.parquet: cannot tell the data format; give format: one of recbole"),
    BadInput("data/paths", "directory read as sessions", files: [("d/r.inter", text(good))], "load(\"$DIR/d\", format: \"sessions\")",
             expect: "1:6: $DIR/d: is a directory; expected a file"),
    BadInput("data/paths", "file read as recbole", files: [("s.csv", text("a,b\n"))], "load(\"$DIR/s.csv\", format: \"recbole\")",
             expect: "1:6: $DIR/s.csv: is a file; format recbole reads a directory of NAME.inter files"),
    BadInput("data/paths", "file read as movielens", files: [("s.csv", text("a,b\n"))], "load(\"$DIR/s.csv\", format: \"movielens\")",
             expect: "1:6: $DIR/s.csv: is a file; format movielens reads a directory"),
    BadInput("names", "unknown format name", setup: "p = \"$DIR/x\";\n", "load(p, format: \"parquet\")",
             expect: "1:9: argument 'format' to load must be one of \"recbole\", \"presplit\", \"sessions\", \"csv\", \"movielens\", \"amazon\", got \"parquet\""),
]
