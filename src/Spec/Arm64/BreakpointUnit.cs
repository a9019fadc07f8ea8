using System.Collections.Immutable;

namespace Kvmspec.Spec.Arm64;

/// <summary>One breakpoint or watchpoint: its control register and its value register.</summary>
public readonly record struct DebugSlot(ulong Control, ulong Value);

/// <summary>The self-hosted breakpoints and watchpoints: whether a breakpoint or watchpoint
/// debug exception is generated.</summary>
/// <remarks>
/// Arm ARM DDI 0487, pseudocode AArch64.CheckBreakpoint(), AArch64.BreakpointMatch(),
/// AArch64.BreakpointValueMatch() (address and context ID matching, linking through LBN),
/// AArch64.CheckWatchpoint() and AArch64.WatchpointMatch(): a breakpoint or watchpoint generates
/// an exception only when MDSCR_EL1.MDE is 1 and debug exceptions are enabled
/// (AArch64.GenerateDebugExceptions(), which includes the OS Lock). A breakpoint is checked before
/// the instruction executes; a watchpoint when the access is made, and the instruction does not
/// complete. SIMPLIFICATION: A64 only, BAS treated as "all bytes", addresses match exactly (8-byte
/// aligned), two breakpoints (0 for addresses, 1 for a context ID) and one watchpoint, which is
/// the shape of the Linux selftest debug-exceptions.c.
/// </remarks>
public static class BreakpointUnit
{
    /// <summary>Whether breakpoint <paramref name="n"/> matches an instruction fetch at <paramref name="pc"/>.</summary>
    public static bool BreakpointMatch(ImmutableArray<DebugSlot> bps, int n, ulong pc, ulong contextidr, ExceptionLevel el)
    {
        var ctl = DBGBCR.Decode(bps[n].Control);
        if (!ctl.E || !ctl.MatchesEl(el)) return false;
        return ctl.BT switch
        {
            BreakpointType.AddressUnlinked => bps[n].Value == pc,
            BreakpointType.AddressLinked => bps[n].Value == pc && ContextMatch(bps, ctl.LBN, contextidr),
            _ => false, // context breakpoints generate no exception of their own in this model (unlinked ones would)
        };
    }

    /// <summary>Pseudocode: a linked context ID breakpoint matches when it is enabled, of type linked
    /// context ID, and DBGBVR holds CONTEXTIDR_EL1.</summary>
    public static bool ContextMatch(ImmutableArray<DebugSlot> bps, int lbn, ulong contextidr)
    {
        if (lbn >= bps.Length) return false;
        var ctl = DBGBCR.Decode(bps[lbn].Control);
        return ctl.E && ctl.BT == BreakpointType.ContextIdLinked && (bps[lbn].Value & 0xFFFF_FFFF) == (contextidr & 0xFFFF_FFFF);
    }

    /// <summary>Whether any breakpoint matches at <paramref name="pc"/>.</summary>
    public static bool AnyBreakpoint(ImmutableArray<DebugSlot> bps, ulong pc, ulong contextidr, ExceptionLevel el) =>
        Enumerable.Range(0, bps.Length).Any(n => BreakpointMatch(bps, n, pc, contextidr, el));

    /// <summary>Whether a watchpoint matches a data access to <paramref name="address"/>.</summary>
    public static bool WatchpointMatch(ImmutableArray<DebugSlot> wps, ImmutableArray<DebugSlot> bps, ulong address, bool isStore, ulong contextidr, ExceptionLevel el)
    {
        foreach (var w in wps)
        {
            var ctl = DBGWCR.Decode(w.Control);
            if (!ctl.E || el != ExceptionLevel.EL1 && el != ExceptionLevel.EL0) continue;
            if ((ctl.PAC & (el == ExceptionLevel.EL1 ? 0b01 : 0b10)) == 0) continue;
            if ((ctl.LSC & (isStore ? 0b10 : 0b01)) == 0) continue;
            if (w.Value != address) continue;
            if (ctl.WT && !ContextMatch(bps, ctl.LBN, contextidr)) continue;
            return true;
        }
        return false;
    }

    /// <summary>Pseudocode AArch64.CheckBreakpoint(): MDE, the debug-exception gate, then a match.</summary>
    public static bool BreakpointDue(MDSCR_EL1 mdscr, bool debugEnabled, ImmutableArray<DebugSlot> bps, ulong pc, ulong contextidr, ExceptionLevel el) =>
        mdscr.MDE && debugEnabled && AnyBreakpoint(bps, pc, contextidr, el);

    /// <summary>Pseudocode AArch64.CheckWatchpoint(): MDE, the debug-exception gate, then a match.</summary>
    public static bool WatchpointDue(MDSCR_EL1 mdscr, bool debugEnabled, ImmutableArray<DebugSlot> wps, ImmutableArray<DebugSlot> bps, ulong address, bool isStore, ulong contextidr, ExceptionLevel el) =>
        mdscr.MDE && debugEnabled && WatchpointMatch(wps, bps, address, isStore, contextidr, el);
}

/// <summary>The breakpoint and watchpoint registers of this model (DBGBCR/DBGBVR 0 and 1,
/// DBGWCR/DBGWVR 0), addressed by their system-register names.</summary>
public readonly record struct DebugRegisters(ImmutableArray<DebugSlot> Bp, ImmutableArray<DebugSlot> Wp)
{
    /// <summary>All registers zero: every breakpoint and watchpoint disabled.</summary>
    public static DebugRegisters Reset => new([default, default], [default]);

    /// <summary>Value equality over the slots (ImmutableArray compares by reference), so that equal
    /// vCPU states are equal: the replay merges its hypotheses by it.</summary>
    public bool Equals(DebugRegisters o) => Bp.SequenceEqual(o.Bp) && Wp.SequenceEqual(o.Wp);

    public override int GetHashCode() => Bp.Concat(Wp).Aggregate(17, (h, s) => h * 31 + s.GetHashCode());

    /// <summary>The slot and half a register names: (watchpoint?, index, control?); null for any other register.</summary>
    private static (bool Watch, int Index, bool Control)? Locate(Kvm.SysReg r) => r switch
    {
        Kvm.SysReg.DBGBCR0_EL1 => (false, 0, true),
        Kvm.SysReg.DBGBVR0_EL1 => (false, 0, false),
        Kvm.SysReg.DBGBCR1_EL1 => (false, 1, true),
        Kvm.SysReg.DBGBVR1_EL1 => (false, 1, false),
        Kvm.SysReg.DBGWCR0_EL1 => (true, 0, true),
        Kvm.SysReg.DBGWVR0_EL1 => (true, 0, false),
        _ => null,
    };

    /// <summary>The value of <paramref name="r"/>, or null when it is not a breakpoint or watchpoint register.</summary>
    public ulong? Read(Kvm.SysReg r)
    {
        if (Locate(r) is not { } at) return null;
        var slot = (at.Watch ? Wp : Bp)[at.Index];
        return at.Control ? slot.Control : slot.Value;
    }

    /// <summary>These registers with <paramref name="r"/> written (unchanged when it is not one of them).</summary>
    public DebugRegisters With(Kvm.SysReg r, ulong v)
    {
        if (Locate(r) is not { } at) return this;
        var slots = at.Watch ? Wp : Bp;
        var slot = at.Control ? slots[at.Index] with { Control = v } : slots[at.Index] with { Value = v };
        return at.Watch ? this with { Wp = Wp.SetItem(at.Index, slot) } : this with { Bp = Bp.SetItem(at.Index, slot) };
    }
}
