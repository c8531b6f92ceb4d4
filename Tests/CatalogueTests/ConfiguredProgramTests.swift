import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// Switches a script decides by its own configuration, and the program it runs with them: which conditions count
/// as decided, which stay open, and what the blanked program keeps.
@Suite("Configured programs")
struct ConfiguredProgramTests {
    static func facts(_ source: String) throws -> PythonFacts {
        try PythonFacts(file: SourceFile(path: "train.py", language: .python, bytes: Array(source.utf8)))
    }

    /// The truth of the condition of the `if` statement on the line holding `marker`.
    static func truth(_ facts: PythonFacts, at marker: String) throws -> Bool? {
        let statement = try #require(facts.nodes(ofType: "if_statement").first { $0.text.hasPrefix("if \(marker)") })
        return facts.truth(of: try #require(statement.child(byField: "condition")))
    }

    @Test("a switch set inside the branch that tests it is read without asking the same question again (no endless recursion)")
    func switchSetInItsOwnBranch() throws {
        // `options.get("tuning")` reads the setting `inductor_config.tuning = True`, which stands in the branch the test
        // guards: deciding whether that write runs asks for the same test again.
        let facts = try Self.facts("""
        def setup(options):
            if options.get("tuning", False):
                inductor_config.tuning = True
        """)
        // (Before the guard this recursed until the stack ran out; the answer itself is not the point here.)
        _ = try Self.truth(facts, at: "options.get")
        let detections = Classifier.classify([facts])
        #expect(detections.isEmpty)
    }

    @Test("argparse, dataclass, environment and module switches are decided by their one value; the module's own statements override declarations")
    func decidedSwitches() throws {
        let facts = try Self.facts("""
        import argparse, dataclasses, os
        from dataclasses import dataclass

        p = argparse.ArgumentParser()
        p.add_argument("--use-rope", type=int, default=1)
        p.add_argument("--act", type=str, default="relu2")
        args = p.parse_args()

        @dataclass
        class Flags:
            fp8_head: bool = False
            window: int = 1024

        flags = Flags()
        flags = dataclasses.replace(flags, window=2048)
        COMPILE = False
        args.act = "relu2"
        FUSED = os.environ.get("FUSED", "0") == "1"

        if args.use_rope: pass
        if args.act == "relu2": pass
        if args.act in ("gelu", "silu"): pass
        if flags.fp8_head: pass
        if not flags.fp8_head and not COMPILE: pass
        if flags.window > 1024: pass
        if FUSED: pass
        if int(os.environ.get("SMALL", "1")): pass
        """)
        #expect(try Self.truth(facts, at: "args.use_rope") == true)
        #expect(try Self.truth(facts, at: "args.act ==") == true)
        #expect(try Self.truth(facts, at: "args.act in") == false)
        #expect(try Self.truth(facts, at: "flags.fp8_head") == false)
        #expect(try Self.truth(facts, at: "not flags") == true)
        #expect(try Self.truth(facts, at: "flags.window") == true)
        #expect(try Self.truth(facts, at: "FUSED") == false)
        #expect(try Self.truth(facts, at: "int(os") == true)
    }

    @Test("what the run gives stays undecided: writes in functions or loops that disagree, parameters, loop and comprehension variables, the launcher's rank")
    func undecidedSwitches() throws {
        let facts = try Self.facts("""
        import dataclasses, os
        from dataclasses import dataclass

        @dataclass
        class Flags:
            warmup: bool = False
            relu2: bool = True

        flags = Flags()
        ddp = int(os.environ.get("RANK", -1)) != -1
        c = 2.0315

        def step(x, use_fp8=False):
            if use_fp8: pass
            return x

        for debug in (True, False):
            if debug: pass

        def fast_mode():
            flags.warmup = True

        if __name__ == "__main__":
            for _ in range(2):
                setattr(flags, "relu2", False)

        if flags.warmup: pass
        if flags.relu2: pass
        if ddp: pass
        layout = [None if c == "." else int(c) for c in "012"]
        """)
        #expect(try Self.truth(facts, at: "flags.warmup") == nil)
        #expect(try Self.truth(facts, at: "flags.relu2") == nil)
        #expect(try Self.truth(facts, at: "ddp") == nil)
        #expect(try Self.truth(facts, at: "use_fp8") == nil)
        #expect(try Self.truth(facts, at: "debug") == nil)
        let conditional = try #require(facts.nodes(ofType: "conditional_expression").first)
        #expect(facts.truth(of: try #require(conditional.namedChild(1))) == nil)
    }

    @Test("branches a switch turns off are blanked in place; offsets, lines and the rest of the code stay")
    func blanking() throws {
        let source = """
        USE_RELU2 = True
        EPS_SMALL = False

        def mlp(h, F):
            if USE_RELU2:
                h = F.relu(h).square()
            elif h is None:
                h = 0
            else:
                h = F.gelu(h)
            eps = 1e-10 if EPS_SMALL else 1e-8
            if not USE_RELU2:
                h = h * 2
            return h, eps
        """
        let script = try Self.facts(source)
        let configured = try #require(ConfiguredProgram(script))
        let text = String(decoding: configured.facts.file.bytes, as: UTF8.self)
        #expect(configured.facts.file.bytes.count == script.file.bytes.count)
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count == source.split(separator: "\n", omittingEmptySubsequences: false).count)
        #expect(text.contains("F.relu(h).square()"))
        #expect(!text.contains("gelu") && !text.contains("elif"))
        #expect(!text.contains("1e-10") && text.contains("1e-8"))
        #expect(!text.contains("h * 2") && text.contains("pass"))
        #expect(!configured.facts.root.hasError)
    }

    @Test("a script with no decided switch is read as written")
    func nothingDecided() throws {
        let script = try Self.facts("""
        import sys
        fast = len(sys.argv) > 1
        if fast:
            x = 1
        """)
        #expect(ConfiguredProgram(script) == nil)
    }

    @Test("evidence found in the configured program carries the script's own code")
    func evidenceFromTheScript() throws {
        let script = try Self.facts("""
        import torch.nn as nn
        import torch.nn.functional as F
        RELU2 = 1

        class MLP(nn.Module):
            def __init__(self, d=768):
                super().__init__()
                self.fc = nn.Linear(d, 4 * d)
                self.proj = nn.Linear(4 * d, d)

            def forward(self, x):
                h = self.fc(x)
                h = F.relu(h).square() if RELU2 else F.gelu(h)
                return self.proj(h)
        """)
        let detections = Classifier.classify([script])
        let relu = try #require(detections.first { $0.id == "relu_squared" })
        #expect(relu.evidence.allSatisfy { !$0.code.isEmpty && script.file.snippet($0.range.startByte..<$0.range.endByte) == $0.code })
        // Evidence over a blanked part: its code is the script's line, not the configured program's.
        let configured = try #require(ConfiguredProgram(script))
        let line = try #require(script.nodes(ofType: "assignment").first { $0.text.hasPrefix("h = F.relu") }).byteRange
        let mapped = configured.mapBack([Detection(id: "relu_squared", evidence: [configured.facts.evidence(range: line, "whole line")])])
        #expect(configured.facts.snippet(line) == "h = F.relu(h).square()")
        #expect(mapped.first?.evidence.first?.code == "h = F.relu(h).square() if RELU2 else F.gelu(h)")
    }

    @Test("a registry read with a decided key becomes the entry it selects; one that is written elsewhere is left alone")
    func registries() throws {
        let source = """
        import os
        import torch.nn.functional as F

        def relu_sq(t):
            return F.relu(t).square()

        ACTS = {"relu2": relu_sq, "gelu": F.gelu}
        NORMS = {"rms": F.rms_norm}
        NORMS["layer"] = F.layer_norm
        act = ACTS[os.environ.get("ACT", "gelu")]
        norm = NORMS[os.environ.get("NORM", "rms")]
        """
        let script = try Self.facts(source)
        let configured = try #require(ConfiguredProgram(script))
        let text = String(decoding: configured.facts.file.bytes, as: UTF8.self)
        #expect(configured.facts.file.bytes.count == script.file.bytes.count)
        #expect(text.contains("act = F.gelu "))
        #expect(!text.contains("\"relu2\": relu_sq"))
        #expect(text.contains("norm = NORMS[os.environ.get(\"NORM\", \"rms\")]"))
        #expect(!configured.facts.root.hasError)
    }

    @Test("a decorator registry read with decided keys becomes the definition filed under them, a name longer than the read written in full with evidence mapped back")
    func decoratorRegistries() throws {
        let source = """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        REGISTRY = {}

        def register(kind, name):
            def wrap(obj):
                table = REGISTRY.setdefault(kind, {})
                table[name] = obj
                return obj
            return wrap

        def lookup(kind, name):
            return REGISTRY[kind][name]

        def build(kind, name, **kwargs):
            return lookup(kind, name)(**kwargs)

        CONFIG = {"model": {"act": "relu2", "width": 768}, "schedule": {"lr": "cosine_with_long_name"}}

        @register("act", "relu2")
        def relu_squared(x):
            return F.relu(x).square()

        @register("act", "gelu")
        def gelu(x):
            return F.gelu(x)

        @register("schedule", "cosine_with_long_name")
        def a_schedule_factory_with_a_long_name(total=1000):
            return lambda step: 0.5 * (1 + torch.cos(torch.tensor(step / total * 3.14159)))

        class FeedForward(nn.Module):
            def __init__(self, mc):
                super().__init__()
                self.fc = nn.Linear(mc["width"], 4 * mc["width"])
                self.proj = nn.Linear(4 * mc["width"], mc["width"])
                self.act = lookup("act", mc["act"])

            def forward(self, x):
                return self.proj(self.act(self.fc(x)))

        SC = CONFIG["schedule"]
        mlp = FeedForward(CONFIG["model"])
        factor = build("schedule", SC["lr"], total=2000); other = gelu
        """
        let script = try Self.facts(source)
        let configured = try #require(ConfiguredProgram(script))
        let text = String(decoding: configured.facts.file.bytes, as: UTF8.self)
        #expect(text.contains("self.act = relu_squared"))
        #expect(text.contains("factor = a_schedule_factory_with_a_long_name(total=2000); other = gelu"))
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count == source.split(separator: "\n", omittingEmptySubsequences: false).count)
        #expect(!configured.facts.root.hasError)
        // Evidence after the longer name on its line is the script's own text, at the script's offsets.
        let other = try #require(configured.facts.nodes(ofType: "assignment").first { $0.text == "other = gelu" })
        let mapped = configured.mapBack([Detection(id: "x", evidence: [configured.facts.evidence(other, "after")])])
        let evidence = try #require(mapped.first?.evidence.first)
        #expect(evidence.code == "other = gelu")
        #expect(script.file.snippet(evidence.range.startByte..<evidence.range.endByte) == "other = gelu")
        #expect(Classifier.classify([script]).contains { $0.id == "relu_squared" })

        // The key written elsewhere (`CONFIG["model"]["act"] = ...` in a function) is no longer read off the literal.
        let rewritten = try Self.facts(source.replacingOccurrences(of: "SC = CONFIG", with: "def use_gelu():\n    CONFIG[\"model\"][\"act\"] = \"gelu\"\nSC = CONFIG"))
        let open = try #require(ConfiguredProgram(rewritten))
        #expect(String(decoding: open.facts.file.bytes, as: UTF8.self).contains("self.act = lookup(\"act\", mc[\"act\"])"))
        // So is one an `update` of the same dictionary names, through another name.
        let updated = try Self.facts(source.replacingOccurrences(of: "SC = CONFIG", with: "def use_gelu(model):\n    model.update(act=\"gelu\")\nuse_gelu(CONFIG[\"model\"])\nSC = CONFIG"))
        let stillOpen = try #require(ConfiguredProgram(updated))
        #expect(String(decoding: stillOpen.facts.file.bytes, as: UTF8.self).contains("self.act = lookup(\"act\", mc[\"act\"])"))
    }

    @Test("a decorator that files what it decorates under its own name, and a registry object's register and get methods, are read like a registry")
    func decoratorRegistryShapes() throws {
        let direct = try Self.facts("""
        _ENTRYPOINTS = {}

        def register_act(fn):
            _ENTRYPOINTS[fn.__name__] = fn
            return fn

        def create_act(name):
            return _ENTRYPOINTS[name]

        @register_act
        def sqrelu(x):
            return x.relu().square()

        @register_act
        def gelu_tanh(x):
            return x

        SETTINGS = {"act": "sqrelu"}
        act = create_act(SETTINGS["act"])
        """)
        let configuredDirect = try #require(ConfiguredProgram(direct))
        let directText = String(decoding: configuredDirect.facts.file.bytes, as: UTF8.self)
        #expect(directText.contains("act = sqrelu "))
        // Every read decided: the entry none selects never runs.
        #expect(!directText.contains("def gelu_tanh"))

        let object = try Self.facts("""
        class Registry:
            def __init__(self):
                self._entries = {}

            def register(self, key=None):
                def deco(obj):
                    self._entries[key or obj.__name__] = obj
                    return obj
                return deco

            def get(self, key):
                return self._entries[key]

            def build(self, key, **kwargs):
                return self.get(key)(**kwargs)

        NORMS = Registry()

        @NORMS.register("rms")
        class RootMeanSquare:
            def __init__(self, width):
                self.width = width

        @NORMS.register()
        class LayerNorm:
            def __init__(self, width):
                self.width = width

        norm = NORMS.build("rms", width=768)
        other = NORMS.get("LayerNorm")
        """)
        let configuredObject = try #require(ConfiguredProgram(object))
        let objectText = String(decoding: configuredObject.facts.file.bytes, as: UTF8.self)
        #expect(objectText.replacingOccurrences(of: " ", with: "").contains("norm=RootMeanSquare(width=768)"))
        #expect(objectText.contains("other = LayerNorm "))
        #expect(!configuredObject.facts.root.hasError)
    }

    @Test("switches read off a nested configuration dictionary by path, through names, copies and constructor parameters; a registration written as a call")
    func nestedConfigurationSwitches() throws {
        let facts = try Self.facts("""
        import torch.nn as nn

        REGISTRY = {}

        def register(kind, name):
            def wrap(obj):
                REGISTRY.setdefault(kind, {})[name] = obj
                return obj
            return wrap

        def build(kind, name, **kwargs):
            return REGISTRY[kind][name](**kwargs)

        class Muon:
            def __init__(self, params, lr):
                self.lr = lr

        register("optim", "muon")(Muon)

        CONFIG = {"model": {"qk_norm": "rms", "bias": False, "width": 768}, "optim": {"hidden": "muon"}}

        class Mixer(nn.Module):
            def __init__(self, mc):
                super().__init__()
                if mc["qk_norm"]: pass
                if mc["bias"]: pass
                if mc.get("width") == 768: pass

        spec = dict(CONFIG["optim"])
        if spec["hidden"] == "muon": pass
        mixer = Mixer(CONFIG["model"])
        opt = build("optim", spec["hidden"], params=[], lr=0.05)
        """)
        #expect(try Self.truth(facts, at: "mc[\"qk_norm\"]") == true)
        #expect(try Self.truth(facts, at: "mc[\"bias\"]") == false)
        #expect(try Self.truth(facts, at: "spec[\"hidden\"]") == true)
        let configured = try #require(ConfiguredProgram(facts))
        let text = String(decoding: configured.facts.file.bytes, as: UTF8.self)
        #expect(text.replacingOccurrences(of: " ", with: "").contains("opt=Muon(params=[],lr=0.05)"))
    }

    @Test("a base class's __init__ parameter is decided through its subclasses' super().__init__ calls and constructions")
    func subclassInitializers() throws {
        let source = """
        import torch.nn as nn

        class Dense(nn.Linear):
            def __init__(self, fan_in, fan_out, zero=None):
                super().__init__(fan_in, fan_out, bias=False)
                if zero is not None:
                    self.weight.data.zero_()

        class Head(Dense):
            def __init__(self, width, vocab):
                super().__init__(width, vocab)

        class Plain(Dense):
            pass

        a = Dense(768, 3072)
        b = Head(768, 50304)
        c = Plain(768, 768)
        """
        let facts = try Self.facts(source)
        #expect(try Self.truth(facts, at: "zero is not None") == false)
        // A subclass that hands the parameter on decides it no more.
        let handed = try Self.facts(source.replacingOccurrences(of: "super().__init__(width, vocab)", with: "super().__init__(width, vocab, zero=True)"))
        #expect(try Self.truth(handed, at: "zero is not None") == nil)
        // A subclass used other than by constructing it (handed to a factory) leaves the base's calls unseen.
        let factory = try Self.facts(source + "\nmake = Plain\nd = make(64, 64, zero=True)\n")
        #expect(try Self.truth(factory, at: "zero is not None") == nil)
    }

    @Test("a parameter is decided by what every call passes, and stays open when some call cannot be seen")
    func parameters() throws {
        let facts = try Self.facts("""
        PINNED = False

        class Loader:
            def __init__(self, path, pinned=True):
                self.pinned = pinned
                if pinned: pass

        def build(fast=False):
            if fast: pass

        def step(use_fp8=False):
            if use_fp8: pass

        train = Loader("a", pinned=PINNED)
        val = Loader("b", PINNED)
        build()
        build(fast=False)
        handlers = [step]
        step(True)
        """)
        #expect(try Self.truth(facts, at: "pinned") == false)
        #expect(try Self.truth(facts, at: "fast") == false)
        #expect(try Self.truth(facts, at: "use_fp8") == nil)
    }

    @Test("attributes named by constant strings read as plain attribute access, in place; names computed at run time stay")
    func constantAttributes() throws {
        let source = """
        import operator
        import torch.nn as nn

        class GPT(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.add_module("lm_head", nn.Linear(d, 10))
                setattr(self, f"scale_{0}", nn.Parameter(d))
                self.register_buffer("inv_freq", d, persistent=False)
                getattr(self, "lm_head").weight.data.zero_()
                for k in ("a", "b"):
                    setattr(self, k, None)

            def forward(self, x):
                return operator.attrgetter("lm_head")(self)(x) + getattr(self, "scale_0", 1.0)
        """
        let script = try Self.facts(source)
        let configured = try #require(ConfiguredProgram(script))
        let lines = String(decoding: configured.facts.file.bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(configured.facts.file.bytes.count == script.file.bytes.count)
        #expect(lines.count == source.split(separator: "\n", omittingEmptySubsequences: false).count)
        #expect(lines[6] == "        self.lm_head =             nn.Linear(d, 10) ")
        #expect(lines[7] == "        self.scale_0 =              nn.Parameter(d) ")
        // A buffer stays a `register_buffer` call: the settings read it with its `persistent=False`.
        #expect(lines[8] == "        self.register_buffer(\"inv_freq\", d, persistent=False)")
        #expect(lines[9] == "        (       self.lm_head   ).weight.data.zero_()")
        #expect(lines[11] == "            setattr(self, k, None)")
        #expect(lines[14] == "        return (self.lm_head                      )(x) + (       self.scale_0        )")
        #expect(!configured.facts.root.hasError)
        // The object read keeps its offset, so evidence on it is evidence on the script's call.
        let read = try #require(script.nodes(ofType: "call").first { $0.text == "getattr(self, \"lm_head\")" })
        let object = read.startByte + 8..<read.startByte + 12
        #expect(configured.facts.snippet(object) == "self")
        let field = object.lowerBound..<object.upperBound + ".lm_head".utf8.count
        let mapped = configured.mapBack([Detection(id: "untied_lm_head", evidence: [configured.facts.evidence(range: field, "head")])])
        #expect(configured.facts.snippet(field) == "self.lm_head")
        #expect(mapped.first?.evidence.first?.code == "getattr(self, \"lm_head\")")
    }

    @Test("a registration split over lines continues each line with a backslash; a name joined from constant strings folds")
    func constantAttributesOverLines() throws {
        let source = """
        import torch.nn as nn

        class Attn(nn.Module):
            STREAMS = ("q", "k", "v")

            def __init__(self, d):
                super().__init__()
                self.register_parameter(
                    "w_" + "".join(self.STREAMS),
                    nn.Parameter(d),
                )

            def forward(self, x):
                return getattr(self, "w_" + "".join(self.STREAMS))
        """
        let script = try Self.facts(source)
        let configured = try #require(ConfiguredProgram(script))
        let lines = String(decoding: configured.facts.file.bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(configured.facts.file.bytes.count == script.file.bytes.count)
        #expect(lines[7] == "        self.w_qkv =           \\")
        #expect(lines[8] == "                                        \\")
        #expect(lines[9] == "            nn.Parameter(d) ")
        #expect(lines[10] == "         ")
        #expect(lines[13] == "        return (       self.w_qkv                        )")
        #expect(!configured.facts.root.hasError)
    }

    @Test("a read with a default that stands in a test asks whether the attribute is there, and stays as written")
    func presenceTestsStay() throws {
        let source = """
        import torch.nn as nn

        def init(module, config):
            if getattr(module, "_is_lm_head", False) and config.zero_head:
                module.weight.data.zero_()
            scale = getattr(config, "init_scale", 1.0)
            return scale
        """
        let script = try Self.facts(source)
        let configured = try #require(ConfiguredProgram(script))
        let lines = String(decoding: configured.facts.file.bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[3] == "    if getattr(module, \"_is_lm_head\", False) and config.zero_head:")
        #expect(lines[5] == "    scale = (       config.init_scale        )")
    }

    @Test("a field of a record looked up in a table per row stays open when the rows disagree")
    func tableRowFieldsStayOpen() throws {
        let facts = try Self.facts("""
        from typing import NamedTuple
        import torch

        class Hyper(NamedTuple):
            lr: float
            ortho: bool = False

        TABLE = {"a": Hyper(lr=0.3), "b": Hyper(lr=0.02, ortho=True)}
        SAME = {"a": Hyper(lr=0.3, ortho=True), "b": Hyper(lr=0.02, ortho=True)}

        def build(names):
            out = []
            for name in names:
                hp = TABLE[name]
                if hp.ortho:
                    out.append(torch.optim.SGD([], lr=hp.lr))
                else:
                    out.append(torch.optim.Adam([], lr=hp.lr))
            return out
        """)
        #expect(try Self.truth(facts, at: "hp.ortho") == nil)
    }

    @Test("a closure reads the parameters of the factory that made it: decided only when every call of the factory agrees")
    func capturedFactoryParameters() throws {
        let facts = try Self.facts("""
        RAMP = dict(kind="ramp", warmup=300)

        def make_schedule(kind="flat", warmup=0, depth=4):
            def ramp(t):
                if warmup > 0: pass
                if depth > 2: pass
                return t
            return ramp

        flat = make_schedule(kind="flat", warmup=0)
        momentum = make_schedule(**RAMP)
        """)
        // One call passes 0, the other 300 through its spread: the closure's test depends on which made it.
        #expect(try Self.truth(facts, at: "warmup > 0") == nil)
        // Neither call passes `depth`: every closure sees the default.
        #expect(try Self.truth(facts, at: "depth > 2") == true)
    }

    @Test("a function run through a table of backends takes what the calls through the table pass; a flag handed on under its own name keeps its argparse default")
    func parameterThroughBackendTable() throws {
        let facts = try Self.facts("""
        import argparse
        parser = argparse.ArgumentParser()
        parser.add_argument("--regroup", action="store_true")
        parser.add_argument("--fast", dest="fast", action="store_false")
        flags = parser.parse_args()

        def ns(G, regrouped=False, fast=False):
            if regrouped: pass
            if fast: pass
            return G

        def svd(G, regrouped=False, fast=False):
            return G

        BACKENDS = dict(ns=ns, svd=svd)

        class Opt:
            def __init__(self, regroup=False, fast=False):
                self.regroup = regroup
                self.fast = fast

            def step(self, g, key):
                run = BACKENDS[key]
                return run(g, regrouped=self.regroup, fast=self.fast)

        opt = Opt(regroup=flags.regroup, fast=flags.fast)
        """)
        #expect(try Self.truth(facts, at: "regrouped") == false)
        #expect(try Self.truth(facts, at: "fast") == true)
    }

    @Test("an attribute every setting of which builds an object is never None; one that may be None stays open")
    func builtObjectsAreNotNone() throws {
        let facts = try Self.facts("""
        import torch.nn as nn
        CONFIG = {"tie": False}
        class Net(nn.Module):
            def __init__(self, cfg, maybe):
                super().__init__()
                self.head = None if cfg["tie"] else nn.Linear(4, 4)
                self.extra = maybe
            def forward(self, h):
                if self.head is not None: pass
                if self.extra is None: pass
                return h
        net = Net(CONFIG, None if len(CONFIG) > 3 else nn.Linear(4, 4))
        """)
        #expect(try Self.truth(facts, at: "self.head is not None") == true)
        #expect(try Self.truth(facts, at: "self.extra is None") == nil)
    }

    @Test("a class named in annotations, class tests or an uncalled class attribute is still built only where it is called")
    func classReferencesThatBuildNothing() throws {
        let program = """
        import torch.nn as nn
        class Cfg:
            def __init__(self, norm_embed=True, depth=12):
                self.norm_embed = norm_embed
                self.depth = depth
        class Base(nn.Module):
            config_class = Cfg
        class Net(Base):
            def __init__(self, config: Cfg, other: "Cfg | None" = None):
                super().__init__()
                self.kind = isinstance(config, Cfg)
            def forward(self, config: Cfg, h):
                if config.norm_embed: pass
                if config.depth > 4: pass
                return h
        net = Net(Cfg())
        """
        let facts = try Self.facts(program)
        #expect(try Self.truth(facts, at: "config.norm_embed") == true)
        #expect(try Self.truth(facts, at: "config.depth > 4") == true)
        // Kept under a name that is called (`factory(depth=2)`): a construction the reading cannot see whole.
        let handed = try Self.facts(program + "\nfactory = Cfg\nlate = factory(depth=2)\n")
        #expect(try Self.truth(handed, at: "config.depth > 4") == nil)
    }

    @Test("hardware queries read as the benchmark's machine answers them (H100, capability 9.0); launch questions stay open")
    func targetHardware() throws {
        let facts = try Self.facts("""
        import os
        import torch
        def capable():
            if not torch.cuda.is_available():
                return False
            major, minor = torch.cuda.get_device_capability()
            if major < 8:
                return False
            check = getattr(torch.cuda, "is_bf16_supported", None)
            return bool(check()) if callable(check) else True
        def run():
            if capable(): pass
            if torch.cuda.get_device_capability() >= (9, 0): pass
            if torch.cuda.get_device_capability()[0] >= 10: pass
            if hasattr(torch, "float8_e4m3fn"): pass
            if int(os.environ["WORLD_SIZE"]) > 1: pass
        """)
        #expect(try Self.truth(facts, at: "capable()") == true)
        #expect(try Self.truth(facts, at: "torch.cuda.get_device_capability() >= (9, 0)") == true)
        #expect(try Self.truth(facts, at: "torch.cuda.get_device_capability()[0] >= 10") == false)
        #expect(try Self.truth(facts, at: "hasattr(torch, \"float8_e4m3fn\")") == true)
        #expect(try Self.truth(facts, at: "int(os.environ[\"WORLD_SIZE\"]) > 1") == nil)
    }

    @Test("Hydra-style instantiate calls read as the constructions their nodes name: nested nodes built or handed over as partials, interpolations resolved, the call's own arguments first")
    func hydraInstantiation() throws {
        let script = try Self.facts(#"""
        import copy, functools, yaml, torch

        CONFIG = """
        train:
          steps: 3200
        model:
          _target_: __main__.Net
          width: 768
          block:
            _target_: __main__.Block
            act: relu2
        optim:
          adam:
            _target_: torch.optim.AdamW
            lr: 0.0018
            betas: [0.9, 0.95]
            fused: true
            eps: ${env:EPS}
          sched:
            _target_: __main__.Ramp
            _partial_: true
            total: ${train.steps}
        """

        def build(node, *args, **kw):
            node = copy.deepcopy(node)
            target = globals()[node.pop("_target_").split(".")[-1]]
            return target(*args, **{**node, **kw})

        class Block:
            def __init__(self, dim, act="gelu"):
                self.act = act

        class Net:
            def __init__(self, width, block):
                self.blocks = [build(block, width) for _ in range(2)]

        class Ramp:
            def __init__(self, opt, total):
                self.total = total

        cfg = yaml.safe_load(CONFIG)
        net = build(cfg["model"])
        ocfg = cfg["optim"]
        opt = build(ocfg["adam"], net.parameters(), weight_decay=0.0,
                    lr=0.002)
        ramp = build(cfg["optim"]["sched"])
        """#)
        let rewrites = script.hydraInstantiations().map { $0.text }
        // Not recursive (`build` does not call itself): the inner node is handed over as a partial, and the class it is
        // handed to builds it by calling it.
        #expect(rewrites.contains(#"Net(width=768, block=functools.partial(Block, act="relu2"))"#))
        #expect(rewrites.contains("block(width)"))
        // A keyword of the call wins; what the run decides (`${env:EPS}`) is left out; the call's line break is kept.
        #expect(rewrites.contains("torch.optim.AdamW(net.parameters(), weight_decay=0.0, lr=0.002, betas=[0.9, 0.95], fused=True\n)"))
        #expect(rewrites.contains("functools.partial(Ramp, total=3200)"))
        let configured = try #require(ConfiguredProgram(script))
        let text = String(decoding: configured.facts.file.bytes, as: UTF8.self)
        #expect(text.contains("net = Net(width=768, block=functools.partial(Block, act=\"relu2\"))"))
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count == script.file.text.split(separator: "\n", omittingEmptySubsequences: false).count)
    }

    @Test("a node read by a key no node has, or by one several nodes end with, is not rewritten")
    func hydraInstantiationAmbiguous() throws {
        let script = try Self.facts(#"""
        import yaml, torch
        from hydra.utils import instantiate
        CONFIG = """
        a:
          opt:
            _target_: torch.optim.AdamW
            lr: 0.0018
        b:
          opt:
            _target_: torch.optim.SGD
            lr: 0.1
        """
        cfg = yaml.safe_load(CONFIG)
        first = instantiate(cfg["opt"])
        second = instantiate(cfg["c"])
        third = instantiate(cfg["b"]["opt"], [])
        """#)
        #expect(script.hydraInstantiations().map(\.text) == ["torch.optim.SGD([], lr=0.1)"])
    }

    @Test("a configuration written as Python dictionaries instantiates the same way, its values taken as written")
    func hydraInstantiationFromDictionaries() throws {
        let script = try Self.facts("""
        import torch
        from hydra.utils import instantiate
        WIDTH = 768
        CFG = {
            "optim": {"_target_": "torch.optim.AdamW", "lr": 3 * 6e-4, "betas": (0.8, 0.95)},
            "model": dict(_target_="__main__.Net", width=WIDTH),
        }
        class Net(torch.nn.Module):
            def __init__(self, width):
                super().__init__()
        net = instantiate(CFG["model"])
        opt = instantiate(CFG["optim"], net.parameters())
        """)
        #expect(script.hydraInstantiations().map(\.text) == ["Net(width=WIDTH)", "torch.optim.AdamW(net.parameters(), lr=3 * 6e-4, betas=(0.8, 0.95))"])
    }

    @Test("a configuration a module-level function returns, also wrapped in a config class, instantiates the same way")
    func hydraInstantiationFromReturnedDictionary() throws {
        let script = try Self.facts("""
        import torch
        from omegaconf import OmegaConf
        from hydra.utils import instantiate
        def wrapped():
            return OmegaConf.create({"optim": {"_target_": "torch.optim.Adam", "eps": 1e-10}})
        def plain():
            return {"sched": {"_target_": "torch.optim.lr_scheduler.LambdaLR", "lr_lambda": None}}
        class Holder:
            def settings(self):
                return {"other": {"_target_": "torch.optim.SGD", "lr": 0.1}}
        cfg = wrapped()
        opt = instantiate(cfg.optim, [torch.zeros(1)])
        pcfg = plain()
        sched = instantiate(pcfg["sched"], opt)
        hcfg = Holder().settings()
        spare = instantiate(hcfg["other"], [])
        """)
        // A method's dictionary is not a document of the file (its object may be built many ways).
        #expect(script.hydraInstantiations().map(\.text) == [
            "torch.optim.Adam([torch.zeros(1)], eps=1e-10)",
            "torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=None)",
        ])
    }

    @Test("torchtune's _component_ key names what a node builds, as Hydra's _target_ does")
    func torchtuneComponent() throws {
        let script = try Self.facts(#"""
        import importlib, yaml, torch
        RECIPE = """
        optimizer:
          _component_: torch.optim.AdamW
          lr: 0.0018
          fused: True
        """
        def instantiate(node, *args, **kwargs):
            kw = {k: v for k, v in node.items() if k != "_component_"}
            mod, _, name = node["_component_"].rpartition(".")
            return getattr(importlib.import_module(mod), name)(*args, **kw, **kwargs)
        cfg = yaml.safe_load(RECIPE)
        opt = instantiate(cfg["optimizer"], [torch.zeros(1)])
        """#)
        #expect(script.hydraInstantiations().map(\.text) == ["torch.optim.AdamW([torch.zeros(1)], lr=0.0018, fused=True)"])
    }
}
