// Synthetic worlds: datasets with known structure, made from a seed, so that the quickstart and the
// teaching notebooks run on a fresh machine with no download and so that tests know what a model
// should find.
//
// How a world is made (Data/README.md says the same for users):
// - Genres have word lists (shared by every domain). Each domain has its own items; an item has one
//   genre, a popularity (log-normal, so a few items are much more popular) and a title of two genre
//   words and sometimes a common word.
// - Users have attributes (gender, age, occupation) and a taste over genres whose logits depend on
//   those attributes plus personal noise, so attributes can be predicted from behaviour.
// - Each item has a few successors (mostly of its genre). A sequence starts from the taste; each next
//   item is a successor of the previous one with probability `transitionProbability`, otherwise a
//   fresh draw from the taste. The short-range transitions are what a sequential model can learn and
//   popularity cannot.
// - Time: gaps of about an hour inside a session, occasionally a gap of days (a new session).
// - Domains share users (same tokens, same tastes) unless `sharedUsers` is false, and always share
//   the genre vocabularies but never items: for PeterRec/Conure transfer across tasks and for
//   text-based transfer to unseen items.

import Foundation
import Tensors

/// The size and structure of a synthetic world.
public struct WorldSpec: Sendable, Equatable {
    /// Users (per domain when users are not shared).
    public var users: Int
    /// Items in each domain.
    public var itemsPerDomain: Int
    /// Genres (at most `SyntheticWorld.genreVocabularies.count`).
    public var genres: Int
    /// Domains (at most `SyntheticWorld.domainNames.count`).
    public var domains: Int
    /// Average events per user and domain.
    public var meanLength: Int
    /// Fewest events per user and domain.
    public var minLength: Int
    /// Probability that the next item is a successor of the previous one rather than a taste draw.
    public var transitionProbability: Double
    /// Successors per item.
    public var successors: Int
    /// Whether all domains have the same users.
    public var sharedUsers: Bool
    /// Standard deviation of the log of item popularity (log-normal): 1 gives a mild head, 1.5 a
    /// long tail where the top 1% of items draw about a fifth of the draws.
    public var popularitySpread: Double
    /// Whether items no user happened to draw are still in the catalog (as items nobody had). Real
    /// data sets have only items with events, and a catalog of never-seen items changes what full
    /// ranking means, so worlds standing in for real data leave them out.
    public var keepsUnseenItems: Bool
    /// The root seed.
    public var seed: UInt64

    /// A world; defaults give the toy size.
    public init(users: Int = 300, itemsPerDomain: Int = 200, genres: Int = 8, domains: Int = 2,
                meanLength: Int = 20, minLength: Int = 5, transitionProbability: Double = 0.6,
                successors: Int = 3, sharedUsers: Bool = true, popularitySpread: Double = 1, keepsUnseenItems: Bool = true,
                seed: UInt64 = 2020) {
        self.users = users
        self.itemsPerDomain = itemsPerDomain
        self.genres = genres
        self.domains = domains
        self.meanLength = meanLength
        self.minLength = minLength
        self.transitionProbability = transitionProbability
        self.successors = successors
        self.sharedUsers = sharedUsers
        self.popularitySpread = popularitySpread
        self.keepsUnseenItems = keepsUnseenItems
        self.seed = seed
    }

    /// About 6,000 events per domain: trains in seconds.
    public static let toy = WorldSpec()
    /// About 60,000 events per domain (ml-100k scale).
    public static let small = WorldSpec(users: 2_000, itemsPerDomain: 1_000, genres: 12, meanLength: 30)
    /// About 400,000 events per domain.
    public static let medium = WorldSpec(users: 10_000, itemsPerDomain: 5_000, genres: 12, meanLength: 40)
    /// About 1,000,000 events in one domain.
    public static let large = WorldSpec(users: 20_300, itemsPerDomain: 10_000, genres: 12, domains: 1, meanLength: 50)
    /// About 92,000 events over 10,900 items in one domain (91,615 and 10,885 with the default seed;
    /// 17,000 are made, those nobody drew are left out): short histories (at least 5, median 6),
    /// density 0.06% and a long popularity tail, like the product review sets where NextItNet's
    /// initialisation matters (Docs/nextitnet-sparse.md).
    public static let sparse = WorldSpec(users: 14_000, itemsPerDomain: 17_000, genres: 12, domains: 1, meanLength: 7,
                                         minLength: 5, transitionProbability: 0.35, popularitySpread: 1.5,
                                         keepsUnseenItems: false)

    /// The names `named` knows, smallest first.
    public static let names = ["toy", "small", "medium", "large", "sparse"]

    /// A named size: toy, small, medium, large or sparse.
    public static func named(_ name: String) -> WorldSpec? {
        switch name {
        case "toy": return .toy
        case "small": return .small
        case "medium": return .medium
        case "large": return .large
        case "sparse": return .sparse
        default: return nil
        }
    }
}

/// A generated world: one dataset per domain plus the hidden structure that generated it.
public struct SyntheticWorld: Sendable {
    /// The words each genre's titles are made from (shared by all domains).
    public static let genreVocabularies: [(genre: String, words: [String])] = [
        ("space", ["galaxy", "orbit", "nebula", "comet", "starship", "planet", "eclipse", "quasar", "rocket", "void"]),
        ("crime", ["heist", "detective", "alibi", "verdict", "smuggler", "witness", "cartel", "ransom", "motive", "badge"]),
        ("romance", ["kiss", "wedding", "heart", "letters", "summer", "promise", "moonlight", "bride", "waltz", "rose"]),
        ("horror", ["haunting", "curse", "crypt", "shadow", "scream", "ritual", "coffin", "fog", "witch", "blood"]),
        ("comedy", ["roommates", "blunder", "vacation", "prank", "party", "neighbors", "chaos", "wedding", "mix-up", "diner"]),
        ("war", ["battalion", "trench", "siege", "frontline", "medal", "sniper", "convoy", "armistice", "bunker", "general"]),
        ("fantasy", ["dragon", "wizard", "kingdom", "sword", "elves", "quest", "throne", "amulet", "giant", "realm"]),
        ("western", ["saloon", "sheriff", "outlaw", "canyon", "stagecoach", "ranch", "gunslinger", "frontier", "bounty", "desert"]),
        ("sports", ["champion", "rookie", "stadium", "coach", "marathon", "underdog", "league", "final", "knockout", "relay"]),
        ("music", ["melody", "encore", "backstage", "rhythm", "ballad", "concert", "chorus", "guitar", "tour", "anthem"]),
        ("mystery", ["clue", "manor", "puzzle", "secret", "locket", "cipher", "inheritance", "attic", "riddle", "portrait"]),
        ("science", ["atom", "genome", "laboratory", "theory", "fossil", "climate", "neuron", "quantum", "telescope", "vaccine"]),
    ]
    /// Words any title may use.
    public static let commonWords = ["the", "last", "night", "return", "of", "lost", "secret", "city", "road", "dark"]
    /// Domain names, in order.
    public static let domainNames = ["movies", "books", "games", "music"]
    /// Occupations users are drawn from.
    public static let occupations = ["student", "engineer", "artist", "doctor", "writer", "educator", "programmer", "retired"]

    /// The spec it was made from.
    public let spec: WorldSpec
    /// One dataset per domain (`domainNames[d]`), with item text, item genre and user attributes.
    public let domains: [Dataset]
    /// Each domain's user taste over genres (row = user id in that domain's dataset).
    public let tastes: [[[Float]]]
    /// Each domain's item genre per item id (0 for padding).
    public let itemGenres: [[Int32]]

    /// Generates the world described by `spec`; the same spec always gives the same world.
    public static func generate(_ spec: WorldSpec) throws -> SyntheticWorld {
        guard spec.users >= 1, spec.itemsPerDomain >= 2, spec.genres >= 1, spec.genres <= genreVocabularies.count, spec.itemsPerDomain >= spec.genres,
              spec.domains >= 1, spec.domains <= domainNames.count, spec.minLength >= 1,
              spec.meanLength >= spec.minLength, spec.successors >= 1,
              spec.transitionProbability >= 0, spec.transitionProbability <= 1,
              spec.popularitySpread >= 0, spec.popularitySpread <= 4
        else {
            throw DataError.invalid("world spec out of range: need users >= 1, items >= 2 and at least one per genre, 1...\(genreVocabularies.count) genres, 1...\(domainNames.count) domains, 1 <= minLength <= meanLength, successors >= 1, transitionProbability in 0...1, popularitySpread in 0...4")
        }
        let seed = Seed(spec.seed)
        // How each genre leans with gender, age and occupation: fixed per world.
        var effects = seed.stream("world-effects")
        let genderEffect = (0..<spec.genres).map { _ in effects.normal(std: 1.2) }
        let ageEffect = (0..<spec.genres).map { _ in effects.normal(std: 1.0) }
        let occupationEffect = (0..<occupations.count).map { _ in (0..<spec.genres).map { _ in effects.normal(std: 0.6) } }

        var population = seed.stream("world-users")
        func makeUsers(_ count: Int, _ rng: inout RandomStream) -> [SyntheticUser] {
            (0..<count).map { _ in
                let female = rng.bernoulli(0.5)
                let age = 15 + rng.int(below: 50)
                var occupation = rng.int(below: occupations.count)
                if age < 23 && rng.bernoulli(0.7) { occupation = 0 }
                if age > 58 && rng.bernoulli(0.7) { occupation = occupations.count - 1 }
                var logits = (0..<spec.genres).map { g -> Float in
                    rng.normal(std: 1.0) + (female ? genderEffect[g] : -genderEffect[g])
                        + ageEffect[g] * Float(age - 40) / 15 + occupationEffect[occupation][g]
                }
                let top = logits.max() ?? 0
                logits = logits.map { expf(2 * ($0 - top)) }
                let total = logits.reduce(0, +)
                return SyntheticUser(gender: female ? "F" : "M", age: age, occupation: occupations[occupation],
                                     taste: logits.map { $0 / total })
            }
        }
        let shared = spec.sharedUsers ? makeUsers(spec.users, &population) : []
        var datasets: [Dataset] = [], tastes: [[[Float]]] = [], genresOut: [[Int32]] = []
        for d in 0..<spec.domains {
            let domain = domainNames[d]
            var userStream = seed.stream("world-users-\(domain)")
            let people = spec.sharedUsers ? shared : makeUsers(spec.users, &userStream)
            let userToken: (Int) -> String = spec.sharedUsers ? { "u\($0 + 1)" } : { "\(domain)-u\($0 + 1)" }
            let catalog = makeItems(domain: domain, spec: spec, rng: seed.stream("world-items-\(domain)"))
            var rng = seed.stream("world-sequences-\(domain)")
            var builder = DatasetBuilder(expectedEvents: spec.users * spec.meanLength)
            let userTable = people.map { AliasTable(weights: $0.taste) }
            for u in 0..<people.count {
                let extra = Double(spec.meanLength - spec.minLength)
                let length = spec.minLength + min(Int(-log(1 - rng.nextDouble()) * extra), 6 * max(1, spec.meanLength))
                var time = 1_600_000_000 + Double(rng.int(below: 10_000_000))
                var previous = -1
                let token = userToken(u)
                for _ in 0..<length {
                    var item: Int
                    if previous >= 0 && rng.bernoulli(spec.transitionProbability) {
                        item = Int(catalog.successors[previous][catalog.successorTable.sample(&rng)])
                    } else {
                        let g = userTable[u].sample(&rng)
                        item = Int(catalog.byGenre[g][catalog.genreTables[g].sample(&rng)])
                    }
                    if item == previous { item = Int(catalog.successors[item][0]) }
                    builder.add(user: token, item: catalog.tokens[item], time: time)
                    previous = item
                    let gap = rng.bernoulli(0.1) ? 3 * 86_400.0 : 3_600.0
                    time += (-log(1 - rng.nextDouble()) * gap).rounded()
                }
            }
            if spec.keepsUnseenItems { for t in catalog.tokens { _ = builder.declare(item: t) } }
            for u in 0..<people.count { _ = builder.declare(user: userToken(u)) }
            var dataset = builder.build(name: "synthetic-\(domain)")
            var text = [String](repeating: "", count: dataset.items.count)
            var genreNames = [String](repeating: "", count: dataset.items.count)
            var genreIds = [Int32](repeating: 0, count: dataset.items.count)
            for (k, t) in catalog.tokens.enumerated() {
                guard let id = dataset.items.id(of: t) else { continue }
                text[Int(id)] = catalog.titles[k]
                genreNames[Int(id)] = genreVocabularies[catalog.genres[k]].genre
                genreIds[Int(id)] = Int32(catalog.genres[k])
            }
            dataset.itemText = text
            dataset.itemAttributes = AttributeTable(columns: [.init(name: "genre", type: .token, values: genreNames)])
            var userTastes = [[Float]](repeating: [], count: dataset.users.count)
            var gender = [String](repeating: "", count: dataset.users.count)
            var age = gender, occupation = gender
            for (u, person) in people.enumerated() {
                guard let id = dataset.users.id(of: userToken(u)) else { continue }
                gender[Int(id)] = person.gender
                age[Int(id)] = String(person.age)
                occupation[Int(id)] = person.occupation
                userTastes[Int(id)] = person.taste
            }
            dataset.userAttributes = AttributeTable(columns: [
                .init(name: "age", type: .token, values: age), .init(name: "gender", type: .token, values: gender),
                .init(name: "occupation", type: .token, values: occupation),
            ])
            datasets.append(dataset)
            tastes.append(userTastes)
            genresOut.append(genreIds)
        }
        return SyntheticWorld(spec: spec, domains: datasets, tastes: tastes, itemGenres: genresOut)
    }

    /// The dataset of domain `name`, if the world has it.
    public func domain(_ name: String) -> Dataset? { domains.first { $0.name == "synthetic-\(name)" } }

    /// Writes every domain as RecBole atomic files: `directory/<domain>/<domain>.inter/.item/.user`.
    public func write(to directory: String) throws {
        for (d, dataset) in domains.enumerated() {
            try DatasetWriter.writeAtomic(dataset, directory: directory + "/" + Self.domainNames[d], name: Self.domainNames[d])
        }
    }

    /// Items of one domain: tokens, genres, titles, and sampling tables.
    struct Catalog {
        var tokens: [String] = []
        var genres: [Int] = []
        var titles: [String] = []
        var byGenre: [[Int32]] = []
        var genreTables: [AliasTable] = []
        var successors: [[Int32]] = []
        var successorTable: AliasTable
    }

    static func makeItems(domain: String, spec: WorldSpec, rng start: RandomStream) -> Catalog {
        var rng = start
        let n = spec.itemsPerDomain
        var genres = (0..<n).map { $0 % spec.genres }
        rng.shuffle(&genres)
        let popularity = (0..<n).map { _ in expf(rng.normal(std: Float(spec.popularitySpread))) }
        var catalog = Catalog(successorTable: AliasTable(weights: (0..<spec.successors).map { 1 / Float($0 + 1) }))
        catalog.genres = genres
        catalog.byGenre = (0..<spec.genres).map { g in (0..<n).filter { genres[$0] == g }.map { Int32($0) } }
        catalog.genreTables = catalog.byGenre.map { members in
            AliasTable(weights: members.isEmpty ? [1] : members.map { popularity[Int($0)] })
        }
        var seen: [String: Int] = [:]  // title → copies so far; lookup only
        for k in 0..<n {
            let words = genreVocabularies[genres[k]].words
            let first = rng.int(below: words.count)
            var second = rng.int(below: words.count - 1)
            if second >= first { second += 1 }
            var parts = [words[first], words[second]]
            if rng.bernoulli(0.4) { parts.insert(commonWords[rng.int(below: commonWords.count)], at: 0) }
            var title = parts.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
            let copies = (seen[title] ?? 0) + 1
            seen[title] = copies
            if copies > 1 { title += " \(copies)" }
            catalog.tokens.append("\(domain)-\(k + 1)")
            catalog.titles.append(title)
        }
        for k in 0..<n {
            var next: [Int32] = []
            while next.count < spec.successors {
                let sameGenre = rng.bernoulli(0.8)
                let g = sameGenre && !catalog.byGenre[genres[k]].isEmpty ? genres[k] : rng.int(below: spec.genres)
                guard !catalog.byGenre[g].isEmpty else { continue }
                var candidate = Int(catalog.byGenre[g][catalog.genreTables[g].sample(&rng)])
                // An item alone in its genre still needs successors: take any other item.
                if candidate == k { candidate = (k + 1 + rng.int(below: n - 1)) % n }
                next.append(Int32(candidate))
            }
            catalog.successors.append(next)
        }
        return catalog
    }
}

/// One generated person.
struct SyntheticUser: Sendable {
    let gender: String
    let age: Int
    let occupation: String
    let taste: [Float]
}
