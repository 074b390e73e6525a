//! EWAH-compressed bitmaps as git serialises them (`ewah/ewah_io.c`), for the delete and
//! replace bitmaps of the split index's `link` extension: 32-bit bit count, 32-bit word
//! count, that many 64-bit big-endian words, then the position of the last run-length word.
//! A run-length word holds the running bit (bit 0), the number of clean words of that bit
//! (bits 1–32) and the number of literal words that follow it (bits 33–63).

const RUNNING_BITS: u32 = 32;
const RUNNING_MASK: u64 = (1 << RUNNING_BITS) - 1;
const MAX_LITERALS: u64 = (1 << 31) - 1;

/// The set bits of the bitmap at the start of `data`, ascending, and its encoded length.
pub fn decode(data: &[u8]) -> Option<(Vec<u32>, usize)> {
    let be32 = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
    };
    let _bit_size = be32(0)?;
    let words = be32(4)? as usize;
    let len = 12usize.checked_add(words.checked_mul(8)?)?;
    let rlw = be32(8 + words * 8)? as usize;
    if words > 0 && rlw >= words {
        return None;
    }
    let word =
        |i: usize| u64::from_be_bytes(data[8 + i * 8..16 + i * 8].try_into().expect("8 bytes"));
    let mut bits = Vec::new();
    let mut pos: u64 = 0;
    let mut i = 0;
    while i < words {
        let rlw = word(i);
        let run = (rlw >> 1) & RUNNING_MASK;
        let literals = (rlw >> (1 + RUNNING_BITS)) as usize;
        if rlw & 1 == 1 {
            for p in pos..pos + run * 64 {
                bits.push(u32::try_from(p).ok()?);
            }
        }
        pos += run * 64;
        i += 1;
        if i + literals > words {
            return None;
        }
        for _ in 0..literals {
            let w = word(i);
            for b in 0..64 {
                if w & (1 << b) != 0 {
                    bits.push(u32::try_from(pos + b).ok()?);
                }
            }
            pos += 64;
            i += 1;
        }
    }
    Some((bits, len))
}

/// Appends the bitmap with exactly the bits `set` (ascending, distinct).
pub fn encode(set: &[u32], out: &mut Vec<u8>) {
    // Literal words by index, in order.
    let mut literals: Vec<(u64, u64)> = Vec::new();
    for &b in set {
        let (w, bit) = (u64::from(b) / 64, u64::from(b) % 64);
        match literals.last_mut() {
            Some((lw, v)) if *lw == w => *v |= 1 << bit,
            _ => literals.push((w, 1 << bit)),
        }
    }
    let mut words: Vec<u64> = Vec::new();
    let mut last_rlw = 0;
    let mut next = 0u64;
    let mut i = 0;
    while i < literals.len() {
        // A run of consecutive literal words, after `gap` clean (zero) words.
        let start = literals[i].0;
        let mut j = i;
        while j + 1 < literals.len()
            && literals[j + 1].0 == literals[j].0 + 1
            && ((j + 1 - i) as u64) < MAX_LITERALS
        {
            j += 1;
        }
        let mut gap = start - next;
        // A gap longer than one run-length word can say takes several.
        while gap > RUNNING_MASK {
            words.push(RUNNING_MASK << 1);
            gap -= RUNNING_MASK;
        }
        let count = (j - i + 1) as u64;
        last_rlw = words.len();
        words.push((gap << 1) | (count << (1 + RUNNING_BITS)));
        words.extend(literals[i..=j].iter().map(|(_, v)| *v));
        next = literals[j].0 + 1;
        i = j + 1;
    }
    if words.is_empty() {
        words.push(0);
    }
    let bit_size = set.last().map(|b| b + 1).unwrap_or(0);
    out.extend_from_slice(&bit_size.to_be_bytes());
    out.extend_from_slice(&(words.len() as u32).to_be_bytes());
    for w in &words {
        out.extend_from_slice(&w.to_be_bytes());
    }
    out.extend_from_slice(&(last_rlw as u32).to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(set: &[u32]) {
        let mut buf = Vec::new();
        encode(set, &mut buf);
        buf.extend_from_slice(b"tail");
        let (bits, len) = decode(&buf).expect("decodes");
        assert_eq!(bits, set);
        assert_eq!(&buf[len..], b"tail");
    }

    #[test]
    fn bitmaps_round_trip() {
        round_trip(&[]);
        round_trip(&[0]);
        round_trip(&[63, 64, 65]);
        round_trip(&[5, 130, 131, 400_000]);
        round_trip(&(0..200).collect::<Vec<_>>());
    }

    #[test]
    fn reads_git_runs_of_ones() {
        // One run-length word: 2 clean words of ones, then one literal word (bit 3).
        let mut buf = Vec::new();
        buf.extend_from_slice(&131u32.to_be_bytes());
        buf.extend_from_slice(&2u32.to_be_bytes());
        buf.extend_from_slice(&(1u64 | (2 << 1) | (1 << 33)).to_be_bytes());
        buf.extend_from_slice(&8u64.to_be_bytes());
        buf.extend_from_slice(&0u32.to_be_bytes());
        let (bits, _) = decode(&buf).unwrap();
        assert_eq!(bits.len(), 129);
        assert_eq!(bits[127], 127);
        assert_eq!(bits[128], 131);
        // The empty bitmap as git writes it.
        let empty = [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(decode(&empty).unwrap(), (vec![], 20));
        // Bits 0–4 as git 2.47 wrote them in a replace bitmap.
        let five = [
            0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1f, 0, 0, 0, 0,
        ];
        assert_eq!(decode(&five).unwrap(), (vec![0, 1, 2, 3, 4], 28));
        let mut mine = Vec::new();
        encode(&[0, 1, 2, 3, 4], &mut mine);
        assert_eq!(mine, five);
        let mut mine = Vec::new();
        encode(&[], &mut mine);
        assert_eq!(mine, empty);
    }
}
