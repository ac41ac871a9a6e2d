#include "tocsin/service/people_ops.hpp"

#include "tocsin/oncall/webpush.hpp"

namespace tocsin::service {

Result<std::string> LoadOrCreateVapidKey(store::Store& store) {
    std::string pem;
    TOCSIN_TRY(store.Write([&](store::Tx& tx) -> Result<void> {
        TOCSIN_ASSIGN(existing, tx.GetSecret(std::string(kVapidKeySecret)));
        if (!existing) {
            TOCSIN_ASSIGN(fresh, oncall::NewVapidKeyPem());
            TOCSIN_TRY(tx.InsertSecretIfAbsent(std::string(kVapidKeySecret), fresh));
            TOCSIN_ASSIGN(stored, tx.GetSecret(std::string(kVapidKeySecret)));
            if (!stored) return Error::Internal("the VAPID key was not stored");
            existing = std::move(stored);
        }
        // A key that does not load would fail every push later; say so at start-up instead.
        TOCSIN_ASSIGN(public_key, oncall::VapidPublicKey(*existing));
        (void)public_key;
        pem = std::move(*existing);
        return {};
    }));
    return pem;
}

Result<oncall::SenderConfig> MakeSenderConfig(
    store::Store& store,
    const oncall::OncallOptions& options,
    const notify::DeliveryOptions& delivery,
    std::string_view fallback_url
) {
    oncall::SenderConfig c = options.senders;
    c.public_url = delivery.public_url.empty() ? std::string(fallback_url) : delivery.public_url;
    while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
    c.from_address = delivery.from_address;
    if (!delivery.from_name.empty()) c.from_name = delivery.from_name;
    TOCSIN_ASSIGN(key, LoadOrCreateVapidKey(store));
    c.vapid_private_key_pem = std::move(key);
    return c;
}

}  // namespace tocsin::service
