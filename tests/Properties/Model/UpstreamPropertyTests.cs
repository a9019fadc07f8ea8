using FsCheck.Fluent;
using Kvmspec.Model.Arm64;
using Kvmspec.Model.Exploration;
using Kvmspec.Properties.Support;
using Kvmspec.Spec.Trace;
using Xunit;
using Xunit.Abstractions;

namespace Kvmspec.Properties.Model;

/// <summary>FsCheck properties over realistic random scripts: every variant stays within its
/// declared violations (upstream within its declared, reasoned deviations), with FsCheck's
/// shrunk script in the failure report.</summary>
public class UpstreamPropertyTests(ITestOutputHelper output)
{
    public static TheoryData<string> VariantIds => [.. Arm64Variants.All.Select(v => v.Id)];

    [Fact]
    public void Upstream_SatisfiesEveryInvariant_ExceptDeclaredDeviations()
    {
        var v = Arm64Variants.Upstream;
        Props.Check(Gens.Scripts, s =>
        {
            var t = Simulator.Execute(v, s).Trace;
            var bad = Judge.Undeclared(v, t).ToList();
            return (bad.Count == 0)
                .Label(bad.Count == 0 ? "" : $"{bad[0]}\n{LaneDiagram.Text(t, bad[0].EventIndex)}")
                .Classify(t.Events.Any(e => e is Exit { Reason: Kvmspec.Spec.Kvm.KvmExitReason.KVM_EXIT_MMIO }), "MMIO exit")
                .Classify(t.Events.Any(e => e is Exit { Reason: Kvmspec.Spec.Kvm.KvmExitReason.KVM_EXIT_DEBUG }), "debug exit")
                .Classify(t.Events.Any(e => e is ExceptionTaken), "guest exception")
                .Classify(t.Events.Any(e => e is Retired { By: RetiredBy.Kvm }), "KVM-emulated instruction");
        }, output, maxTest: 400);
    }

    [Theory]
    [MemberData(nameof(VariantIds))]
    public void Variant_NeverViolatesBeyondItsDeclarations(string id)
    {
        var v = Arm64Variants.Find(id)!;
        Props.Check(Gens.Scripts, s =>
        {
            var t = Simulator.Execute(v, s).Trace;
            var bad = Judge.Undeclared(v, t).FirstOrDefault();
            return (bad is null).Label(bad is null ? "" : $"{bad}\n{LaneDiagram.Text(t, bad.EventIndex)}");
        }, output, maxTest: 150);
    }

    [Fact]
    public void Upstream_WithoutHostDebugging_ViolatesNothing()
    {
        // No KVM_SET_GUEST_DEBUG at all: the host's step state cannot leak or miscount, and the
        // MMIO/NISV protocol holds except for the immediate_exit abort corner (not reachable without an abort).
        var v = Arm64Variants.Upstream;
        Props.Check(Gens.Scripts, s =>
        {
            var plain = s with { Actions = [.. s.Actions.Where(a => a is not Do { Event: SetGuestDebug or SetVcpuEvents })] };
            var t = Simulator.Execute(v, plain).Trace;
            var all = Judge.ViolationsOf(v.Id, t).ToList();
            return (all.Count == 0).Label(all.Count == 0 ? "" : $"{all[0]}\n{LaneDiagram.Text(t, all[0].EventIndex)}");
        }, output, maxTest: 300);
    }

    [Fact]
    public void Generators_ReachTheInterestingCorners()
    {
        // Coverage floors (FsCheck has no checkCoverage): of 400 scripts on upstream, enough must
        // step, exit for MMIO, take guest exceptions and emulate in KVM.
        int n = 400, step = 0, mmio = 0, exc = 0, kvm = 0, nisv = 0;
        for (int i = 0; i < n; i++)
        {
            var t = Simulator.Execute(Arm64Variants.Upstream, ScriptGenerator.Generate(new Rng((ulong)i), 24)).Trace;
            step += t.Events.Any(e => e is Exit { Reason: Kvmspec.Spec.Kvm.KvmExitReason.KVM_EXIT_DEBUG }) ? 1 : 0;
            mmio += t.Events.Any(e => e is Exit { Reason: Kvmspec.Spec.Kvm.KvmExitReason.KVM_EXIT_MMIO }) ? 1 : 0;
            nisv += t.Events.Any(e => e is Exit { Reason: Kvmspec.Spec.Kvm.KvmExitReason.KVM_EXIT_ARM_NISV }) ? 1 : 0;
            exc += t.Events.Any(e => e is ExceptionTaken) ? 1 : 0;
            kvm += t.Events.Any(e => e is Retired { By: RetiredBy.Kvm }) ? 1 : 0;
        }
        output.WriteLine($"debug exit {step}, MMIO exit {mmio}, NISV exit {nisv}, guest exception {exc}, KVM-emulated {kvm} of {n}");
        Assert.True(step > n / 2 && mmio > n / 4 && exc > n / 4 && kvm > n / 4 && nisv >= n / 40);
    }
}
