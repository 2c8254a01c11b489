//! Trains the zstd dictionary stored record bodies are compressed with
//! (`matcher/src/store/records.dict`): `cargo run -p matcher --example store_dictionary`.
//!
//! Samples are synthetic cards and requests as the store encodes them (MessagePack with
//! field names) with their notes emptied: the dictionary should hold what every record
//! shares (field names, vocabularies, date and id shapes), not the generator's phrases,
//! which would flatter the benchmarks and say nothing about real notes. The dictionary is
//! part of store format 2: once committed it is never retrained in place.

use matcher::synth::{Area, Synth};

fn main() {
    let today = matcher::fixtures::reference_date();
    let mut synth = Synth::new(2026, today);
    let mut samples: Vec<Vec<u8>> = Vec::new();
    for mut w in synth.workers(4000) {
        w.notes.clear();
        samples.push(rmp_serde::to_vec_named(&w).expect("card encodes"));
    }
    let areas = [
        Area::Province("GR".into()),
        Area::Region("Toscana".into()),
        Area::National,
    ];
    for i in 0..3000 {
        let mut r = synth.request(&areas[i % areas.len()]);
        r.notes.clear();
        samples.push(rmp_serde::to_vec_named(&r).expect("request encodes"));
    }
    let dict = zstd::dict::from_samples(&samples, 16 * 1024).expect("dictionary trains");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/records.dict");
    std::fs::write(&path, &dict).expect("dictionary written");
    println!(
        "{} bytes, id {}, from {} samples -> {}",
        dict.len(),
        zstd::zstd_safe::get_dict_id_from_dict(&dict).map_or(0, |id| id.get()),
        samples.len(),
        path.display()
    );
}
