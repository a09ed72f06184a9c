#include "registry/internal/outbox.h"

#include <string>

#include "registry/internal/db.h"

namespace certledger::registry::internal {
namespace {

std::string Str(const Json& params, const char* key) {
  auto it = params.find(key);
  if (it == params.end()) return std::string();
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return std::string();
}

Status Missing(std::string_view kind, const char* key) {
  return Status::InvalidArgument(
      "outbox.kind", "a \"" + std::string(kind) + "\" message needs the parameter \"" + key + "\"");
}

}  // namespace

Result<RenderedMessage> RenderOutboxMessage(std::string_view kind, const Json& params) {
  if (!params.is_object()) {
    return Status::InvalidArgument("outbox.kind", "message parameters must be a JSON object");
  }
  auto need = [&](std::initializer_list<const char*> keys) -> Status {
    for (const char* k : keys) {
      if (Str(params, k).empty()) return Missing(kind, k);
    }
    return Status::Ok();
  };
  const std::string code = Str(params, "code");
  RenderedMessage m;
  if (kind == "login-code") {
    CERTLEDGER_RETURN_IF_ERROR(need({"code"}));
    m.subject = "Код входа / Sign-in code: " + code;
    m.body = "Ваш код для входа: " + code +
             ". Он действует 15 минут. Никому не сообщайте его.\n\nYour sign-in code: " + code +
             ". It is valid for 15 minutes. Do not share it.";
  } else if (kind == "queued") {
    CERTLEDGER_RETURN_IF_ERROR(need({"position"}));
    const std::string pos = Str(params, "position");
    m.subject = "Заявка в очереди / Application queued";
    m.body = "Квота сертификатов сейчас исчерпана. Ваша заявка в живой очереди, место " + pos +
             ". Освободившиеся сертификаты выдаются по порядку очереди.\n\nThe voucher quota is "
             "used up for now. Your application waits in the live queue at position " +
             pos + ". Freed vouchers go to the queue in order.";
  } else if (kind == "voucher-issued" || kind == "promoted") {
    CERTLEDGER_RETURN_IF_ERROR(need({"code", "url", "valid_until"}));
    const std::string url = Str(params, "url"), until = Str(params, "valid_until");
    std::string ru_head = "Вам выдан персональный цифровой сертификат " + code + ".";
    std::string en_head = "You have been issued the training voucher " + code + ".";
    if (kind == "promoted") {
      CERTLEDGER_RETURN_IF_ERROR(need({"old_position"}));
      const std::string pos = Str(params, "old_position");
      ru_head = "Освободилось место: ваша заявка (место в очереди " + pos +
                ") получила сертификат " + code + ".";
      en_head = "A place was freed: your application (queue position " + pos +
                ") has received the voucher " + code + ".";
    }
    m.subject = "Сертификат выдан / Voucher issued: " + code;
    m.body = ru_head + " Он действует до " + until +
             ". Запишитесь на программу и сдайте документы в срок.\n" + url + "\n\n" + en_head +
             " It is valid until " + until +
             ". Enrol and hand in your documents by the deadline.\n" + url;
  } else if (kind == "enrolled") {
    CERTLEDGER_RETURN_IF_ERROR(need({"code", "group", "start_date"}));
    const std::string group = Str(params, "group"), start = Str(params, "start_date");
    m.subject = "Вы зачислены / You are enrolled";
    m.body = "По сертификату " + code + " вы зачислены в группу " + group + ", начало обучения " +
             start + ".\n\nWith voucher " + code + " you are enrolled in group " + group +
             ", starting on " + start + ".";
  } else if (kind == "annulled") {
    CERTLEDGER_RETURN_IF_ERROR(need({"code", "reason"}));
    const std::string reason = Str(params, "reason");
    m.subject = "Сертификат аннулирован / Voucher annulled: " + code;
    m.body = "Сертификат " + code + " аннулирован. Причина: " + reason + ".\n\nThe voucher " +
             code + " has been annulled. Reason: " + reason + ".";
  } else if (kind == "withdrawn") {
    m.subject = "Заявка отозвана / Application withdrawn";
    m.body = code.empty()
                 ? "Ваша заявка отозвана и исключена из очереди.\n\nYour application has been "
                   "withdrawn and has left the queue."
                 : "Вы отказались от сертификата " + code +
                       "; он передан следующему в очереди.\n\nYou have withdrawn the voucher " +
                       code + "; it goes to the next person in the queue.";
  } else if (kind == "expiring") {
    CERTLEDGER_RETURN_IF_ERROR(need({"code", "valid_until"}));
    const std::string until = Str(params, "valid_until");
    m.subject = "Сертификат скоро истекает / Voucher expiring soon: " + code;
    m.body = "Сертификат " + code + " действует до " + until +
             ". Если вы ещё не начали обучение, поторопитесь.\n\nThe voucher " + code +
             " is valid until " + until + ". If you have not started training yet, hurry.";
  } else if (kind == "expired") {
    CERTLEDGER_RETURN_IF_ERROR(need({"code"}));
    m.subject = "Сертификат истёк / Voucher expired: " + code;
    m.body = "Срок действия сертификата " + code +
             " закончился вместе с календарным годом. В следующем году можно подать новую "
             "заявку.\n\nThe voucher " +
             code + " expired at the end of the calendar year. You may apply again next year.";
  } else if (kind == "lapsed") {
    m.subject = "Заявка закрыта / Application lapsed";
    m.body =
        "Год программы закончился, и ваша заявка в очереди закрыта без выдачи сертификата. В "
        "следующем году можно подать новую заявку.\n\nThe programme year has ended and your "
        "queued application lapsed without a voucher. You may apply again next year.";
  } else {
    return Status::InvalidArgument("outbox.kind",
                                   "unknown message kind \"" + std::string(kind) + "\"");
  }
  return m;
}

Status EnqueueOutbox(Conn& c, std::string_view kind, std::string_view application_id,
                     const Json& params, int64_t now_ms) {
  CERTLEDGER_ASSIGN_OR_RETURN(RenderedMessage m, RenderOutboxMessage(kind, params));
  auto& q = c.Prepare("SELECT 1 FROM applications WHERE id = ?");
  q.bind(1, std::string(application_id));
  if (!q.executeStep()) {
    return Status::NotFound("application.unknown", "no application with this id");
  }
  q.reset();
  auto& ins = c.Prepare(
      "INSERT INTO outbox(kind, application_id, subject, body, created_ms) VALUES (?, ?, ?, ?, ?)");
  ins.bind(1, std::string(kind));
  ins.bind(2, std::string(application_id));
  ins.bind(3, m.subject);
  ins.bind(4, m.body);
  ins.bind(5, now_ms);
  ins.exec();
  return Status::Ok();
}

}  // namespace certledger::registry::internal
