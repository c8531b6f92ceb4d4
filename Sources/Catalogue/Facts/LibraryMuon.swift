import Parsing
import TreeSitterKit

/// How a library's Muon scales each orthogonalized update of an `A x B` matrix.
public enum LibraryMuonScaling: Equatable, Sendable {
    /// `sqrt(max(1, A / B))`: only tall matrices are scaled up.
    case aspectRatio
    /// `0.2 * sqrt(max(A, B))`: updates of unit RMS matched to AdamW's (the rate is read as 0.2 times the one given).
    case rmsMatched
}

/// Muon optimizers that come from libraries rather than the file: PyTorch's `torch.optim.Muon` (2.9), whose
/// `adjust_lr_fn` picks the scaling (`None` or `"original"`: the aspect ratio; `"match_rms_adamw"`: RMS matched to
/// AdamW), and the `muon` package on PyPI (`Muon`, `SingleDeviceMuon`, `MuonWithAuxAdam`,
/// `SingleDeviceMuonWithAuxAdam`), whose update is always scaled by the aspect ratio.
extension PythonFacts {
    static let muonPackageClasses: Set<String> = ["Muon", "SingleDeviceMuon", "MuonWithAuxAdam", "SingleDeviceMuonWithAuxAdam"]

    /// The scaling a library Muon applies, or nil for a Muon of the file, another optimizer, or an `adjust_lr_fn` that
    /// does not resolve to one of torch's two names.
    public func libraryMuonScaling(_ use: OptimizerUse) -> LibraryMuonScaling? {
        guard use.definition == nil, use.family == .muon else { return nil }
        if use.call.callee == "torch.optim.Muon" {
            guard let choice = use.call.keywords["adjust_lr_fn"], unwrapped(choice).type != "none" else { return .aspectRatio }
            switch decidedString(choice) {
            case "original": return .aspectRatio
            case "match_rms_adamw": return .rmsMatched
            default: return nil
            }
        }
        if use.call.callee.hasPrefix("muon."), Self.muonPackageClasses.contains(use.call.name) { return .aspectRatio }
        return nil
    }

    /// The optimizers of the file that are library Muons with `scaling`.
    public func libraryMuons(scaling: LibraryMuonScaling) -> [OptimizerUse] {
        optimizers.filter { libraryMuonScaling($0) == scaling }
    }

    /// The `muon` package's `MuonWithAuxAdam` (and `SingleDeviceMuonWithAuxAdam`) runs Muon on the groups marked
    /// `use_muon=True` and Adam on those marked `use_muon=False`: read as two optimizers, a Muon over the first groups
    /// and an Adam over the others, so that each group's rate and parameters count for the optimizer that steps
    /// them. Any other optimizer is returned as it is.
    func splitByUseMuon(_ use: OptimizerUse) -> [OptimizerUse] {
        guard use.definition == nil, use.call.callee.hasPrefix("muon."), use.call.name.hasSuffix("MuonWithAuxAdam"),
              !use.groups.isEmpty else { return [use] }
        let adamGroups = use.groups.filter { group in
            OptimizerUse.entry("use_muon", in: group).map { truth(of: $0) == false } ?? false
        }
        guard !adamGroups.isEmpty else { return [use] }
        let muonGroups = use.groups.filter { !adamGroups.contains($0) }
        var parts = [OptimizerUse(call: use.call, family: .adam, groups: adamGroups, definition: nil)]
        if !muonGroups.isEmpty { parts.insert(OptimizerUse(call: use.call, family: .muon, groups: muonGroups, definition: nil), at: 0) }
        return parts
    }
}
