// A damaged sentence-encoder directory (SEQLAB_MODELS points at the case's own copy): missing or
// corrupted model.safetensors, configuration that does not match the weights, broken vocabulary.
// The encoder is tiny (vocabulary 8, hidden 4, one layer) so the files are written inline.

import Foundation
import Tensors

private let model = "models/all-minilm-l6-v2/"
private let config = """
{"vocab_size": 8, "hidden_size": 4, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 4,
 "max_position_embeddings": 8, "type_vocab_size": 2, "model_type": "bert", "hidden_act": "gelu"}
"""
private let configFiles: [(String, [UInt8])] = [
    (model + "config.json", text(config)),
    (model + "sentence_bert_config.json", text("{\"max_seq_length\": 8}")),
    (model + "vocab.txt", text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\nb\nc\n")),
]
/// A safetensors file holding only the word embeddings, of the given shape.
private func weights(_ shape: [Int]) -> [UInt8] {
    let t = Tensor(shape: shape, scalars: [Float](repeating: 0.1, count: shape.reduce(1, *)))
    return [UInt8](SafetensorsWriter.encode([("embeddings.word_embeddings.weight", .float(t))]))
}
private func textModel(_ name: String, _ files: [(String, [UInt8])], _ expected: String) -> BadInput {
    BadInput("safetensors/text-model", name, files: files, "encode([\"a b\", \"c\"])", expect: "1:1: $DIR/" + model + expected,
             environment: ["SEQLAB_MODELS": "$DIR/models"])
}

let textModelCases: [BadInput] = [
    BadInput("safetensors/text-model", "no model directory", "encode([\"a b\"])",
             expect: "1:1: $DIR/models/all-minilm-l6-v2: no model directory here; looked in",
             environment: ["SEQLAB_MODELS": "$DIR/models"]),
    textModel("no weights file", configFiles, "model.safetensors: file not found; run `make models`"),
    textModel("empty weights file", configFiles + [(model + "model.safetensors", [])],
              "model.safetensors: file is 0 bytes; a safetensors file starts with an 8-byte header length"),
    textModel("weights truncated in the header", configFiles + [(model + "model.safetensors", Array(weights([8, 4]).prefix(40)))],
              "model.safetensors: header length"),
    textModel("weights truncated in the data", configFiles + [(model + "model.safetensors", Array(weights([8, 4]).dropLast(16)))],
              "model.safetensors: entry 'embeddings.word_embeddings.weight' has data offsets outside the"),
    textModel("weights header not JSON", configFiles + [(model + "model.safetensors", [12, 0, 0, 0, 0, 0, 0, 0] + text("hello world!"))],
              "model.safetensors: the header is not a JSON object: file is corrupted or not safetensors"),
    textModel("weights an HTML page", configFiles + [(model + "model.safetensors", text("<html><body>404 Not Found</body></html>\n"))],
              "model.safetensors: header length"),
    textModel("weights missing a tensor", configFiles + [(model + "model.safetensors", weights([8, 4]))],
              "model.safetensors: no tensor named 'embeddings.position_embeddings.weight', which a BERT encoder with 1 layers needs"),
    textModel("weights of the wrong shape", configFiles + [(model + "model.safetensors", weights([8, 5]))],
              "model.safetensors: tensor 'embeddings.word_embeddings.weight' has shape [8, 5], but"),
    textModel("configuration not JSON", configFiles.filter { !$0.0.hasSuffix("config.json") || $0.0.contains("sentence") }
              + [(model + "config.json", text("vocab_size = 8\n"))],
              "config.json: not a JSON object; the file is damaged"),
    textModel("configuration with zero heads", configFiles.filter { !$0.0.hasSuffix("/config.json") }
              + [(model + "config.json", text(config.replacingOccurrences(of: "\"num_attention_heads\": 2", with: "\"num_attention_heads\": 0")))],
              "config.json: 'num_attention_heads' is 0; it must be positive"),
    textModel("vocabulary of another model", configFiles.filter { !$0.0.hasSuffix("vocab.txt") } + [(model + "vocab.txt", text("[PAD]\n[UNK]\n"))],
              "vocab.txt: holds 2 tokens but vocab_size in"),
    textModel("vocabulary not UTF-8", configFiles.filter { !$0.0.hasSuffix("vocab.txt") }
              + [(model + "vocab.txt", text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\nb\n") + [0xFF, 0x0A])],
              "vocab.txt:8: not valid UTF-8; the vocabulary file is damaged"),
]
