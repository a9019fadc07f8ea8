namespace Kvmspec.Spec.Arm64;

/// <summary>MDSCR_EL1, Monitor Debug System Control Register: the fields this model uses.</summary>
/// <remarks>Arm ARM DDI 0487, "MDSCR_EL1, Monitor Debug System Control Register".
/// Modelled: SS (bit 0, software step enable), KDE (bit 13, local kernel debug enable),
/// MDE (bit 15, monitor debug events: breakpoints and watchpoints). Left out: TDCC, TXU, RXO, TXfull, RXfull, ...</remarks>
public readonly record struct MDSCR_EL1(bool SS, bool KDE, bool MDE)
{
    public static MDSCR_EL1 Reset => default;

    public ulong Encode() => (SS ? 1UL : 0) | (KDE ? 1UL << 13 : 0) | (MDE ? 1UL << 15 : 0);

    public static MDSCR_EL1 Decode(ulong v) => new((v & 1) != 0, (v >> 13 & 1) != 0, (v >> 15 & 1) != 0);

    public override string ToString() => $"{{SS={(SS ? 1 : 0)} KDE={(KDE ? 1 : 0)} MDE={(MDE ? 1 : 0)}}}";
}
